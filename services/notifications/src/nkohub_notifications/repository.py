"""MongoDB storage of the notifications service (its own database, `nkohub_notifications`)."""

from pymongo import IndexModel

INDEXES: dict[str, list[IndexModel]] = {}
OUTBOX_COLLECTIONS: list[str] = []
