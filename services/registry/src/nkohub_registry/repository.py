"""MongoDB storage of the registry service (its own database, `nkohub_registry`)."""

from pymongo import IndexModel

INDEXES: dict[str, list[IndexModel]] = {}
OUTBOX_COLLECTIONS: list[str] = []
