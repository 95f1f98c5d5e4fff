"""MongoDB storage of the publishing service (its own database, ``nkohub_publishing``).

Collections: ``posts`` (with their outbox), ``slugs`` (every slug a post ever had: unique
reservation and 301 redirects), ``redirects`` (old Blogger paths), ``competitions``,
``foundations``, ``documents``, ``organizations`` (the NGO directory, fed by the registry),
``files`` (uploaded files; their bytes in GridFS's ``fs.files``/``fs.chunks``),
``staff_settings``, ``view_visits`` / ``view_days`` / ``view_buckets`` / ``view_imports``
(view counting).
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_publishing.domain import Document
from nkohub_publishing.repository.catalogues import (
    CatalogueRepository,
    CompetitionRepository,
    document_repository,
    foundation_repository,
)
from nkohub_publishing.repository.files import FileRepository
from nkohub_publishing.repository.organizations import OrganizationRepository
from nkohub_publishing.repository.posts import PostRepository
from nkohub_publishing.repository.settings import SettingsRepository
from nkohub_publishing.repository.views import ViewRepository
from nkohub_shared.storage.mongo import ensure_indexes
from nkohub_shared.storage.outbox import PENDING_INDEX

INDEXES: dict[str, list[IndexModel]] = {
    "posts": [
        IndexModel([("slug", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("category", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("tags", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("publish_at", ASCENDING)]),
        IndexModel([("blogger_id", ASCENDING)], sparse=True),
        IndexModel([("words", ASCENDING)]),  # search: anchored prefix regexes per word
        IndexModel([("file_ids", ASCENDING)]),  # which posts point at a file
    ],
    "slugs": [IndexModel([("post_id", ASCENDING)])],
    "competitions": [
        IndexModel([("closes_at", ASCENDING)]),
        IndexModel([("file_id", ASCENDING)], sparse=True),
    ],
    "documents": [IndexModel([("file_id", ASCENDING)], sparse=True)],
    "files": [
        IndexModel([("kind", ASCENDING), ("uploaded_at", DESCENDING)]),
        IndexModel([("uploading_since", ASCENDING)], sparse=True),
    ],
    "view_days": [
        IndexModel([("day", ASCENDING)]),
        IndexModel([("post_id", ASCENDING), ("day", ASCENDING)]),
    ],
    "view_visits": [IndexModel([("day", ASCENDING)])],
    "view_buckets": [IndexModel([("reported", ASCENDING), ("end", ASCENDING)])],
}
OUTBOX_COLLECTIONS: list[str] = ["posts", "competitions", "view_buckets", "view_imports", "files"]


async def prepare_storage(db: AsyncDatabase[Document]) -> None:
    """What the running service creates at start (its runtime does it), for a process that
    writes without it (the CLI)."""
    indexes = {name: list(models) for name, models in INDEXES.items()}
    for name in OUTBOX_COLLECTIONS:
        indexes.setdefault(name, []).append(PENDING_INDEX)
    await ensure_indexes(db, indexes)


__all__ = [
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "CatalogueRepository",
    "CompetitionRepository",
    "FileRepository",
    "OrganizationRepository",
    "PostRepository",
    "SettingsRepository",
    "ViewRepository",
    "document_repository",
    "foundation_repository",
    "prepare_storage",
]
