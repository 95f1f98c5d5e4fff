"""MongoDB access (PyMongo's async API) and the one way to write a change with its events."""

from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.mongo import create_client, ensure_indexes, ping_database
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, EventWriter, Outbox

__all__ = [
    "WITHOUT_OUTBOX",
    "EventWriter",
    "Outbox",
    "apply_once",
    "create_client",
    "ensure_indexes",
    "ping_database",
]
