"""MongoDB storage of the publishing service (its own database, `nkohub_publishing`)."""

from pymongo import IndexModel

INDEXES: dict[str, list[IndexModel]] = {}
OUTBOX_COLLECTIONS: list[str] = []
