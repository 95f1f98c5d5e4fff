"""MongoDB storage of the events service (its own database, `nkohub_events`)."""

from pymongo import IndexModel

INDEXES: dict[str, list[IndexModel]] = {}
OUTBOX_COLLECTIONS: list[str] = []
