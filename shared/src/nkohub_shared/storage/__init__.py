"""MongoDB access (PyMongo's async API) and the transactional outbox."""

from nkohub_shared.storage.mongo import create_client, ensure_indexes, ping_database
from nkohub_shared.storage.outbox import OUTBOX_FIELD, outbox_entries, with_outbox

__all__ = [
    "OUTBOX_FIELD",
    "create_client",
    "ensure_indexes",
    "outbox_entries",
    "ping_database",
    "with_outbox",
]
