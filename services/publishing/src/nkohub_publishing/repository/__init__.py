"""MongoDB storage of the publishing service (its own database, `nkohub_publishing`).

Collections: ``posts`` (with their outbox), ``slugs`` (every slug a post ever had: unique
reservation and 301 redirects), ``redirects`` (old Blogger paths), ``competitions``,
``foundations``, ``documents``, ``organizations`` (the NGO directory, fed by the registry),
``view_visits`` / ``view_days`` / ``view_buckets`` / ``view_imports`` (view counting).
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from nkohub_publishing.repository.base import Document, new_id, now_utc
from nkohub_publishing.repository.catalogues import Catalogue, Competitions, documents, foundations
from nkohub_publishing.repository.posts import Posts
from nkohub_publishing.repository.settings import StaffSettings
from nkohub_publishing.repository.views import Views

INDEXES: dict[str, list[IndexModel]] = {
    "posts": [
        IndexModel([("slug", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("category", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("tags", ASCENDING), ("published_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("publish_at", ASCENDING)]),
        IndexModel([("blogger_id", ASCENDING)], sparse=True),
        IndexModel([("words", ASCENDING)]),  # search: anchored prefix regexes per word
    ],
    "slugs": [IndexModel([("post_id", ASCENDING)])],
    "competitions": [IndexModel([("closes_at", ASCENDING)])],
    "view_days": [
        IndexModel([("day", ASCENDING)]),
        IndexModel([("post_id", ASCENDING), ("day", ASCENDING)]),
    ],
    "view_visits": [IndexModel([("day", ASCENDING)])],
    "view_buckets": [IndexModel([("reported", ASCENDING), ("end", ASCENDING)])],
}
OUTBOX_COLLECTIONS: list[str] = ["posts", "competitions", "view_buckets", "view_imports"]

__all__ = [
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "Catalogue",
    "Competitions",
    "Document",
    "Posts",
    "StaffSettings",
    "Views",
    "documents",
    "foundations",
    "new_id",
    "now_utc",
]
