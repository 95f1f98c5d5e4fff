"""``posts``: blog posts awaiting the daily digest; ``digests``: the digests done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from nkohub_notifications.domain.digest import POST_FIELDS
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.writer import Document

POSTS = "posts"
DIGESTS = "digests"
POST_INDEXES = [IndexModel([("published_at", ASCENDING)])]
DONE = "done"


class PostRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._posts = collection

    async def keep(self, post_id: str, fields: dict[str, Any], event_id: str) -> bool:
        return await apply_once(
            self._posts, {"_id": post_id}, {"$set": fields}, event_id, upsert=True
        )

    async def remove(self, post_id: str) -> None:
        await self._posts.delete_one({"_id": post_id})

    async def published_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Posts published in ``[start, end)``, oldest first (only what a digest shows)."""
        cursor = self._posts.find({"published_at": {"$gte": start, "$lt": end}}).sort(
            "published_at", 1
        )
        return [{k: p.get(k) for k in POST_FIELDS} async for p in cursor]


class DigestRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._digests = collection

    async def done(self, digest_id: str) -> bool:
        return await self._digests.find_one({"_id": digest_id, "status": DONE}) is not None

    async def mark_done(self, digest_id: str, *, posts: int, messages: int, at: datetime) -> None:
        await self._digests.update_one(
            {"_id": digest_id},
            {"$set": {"status": DONE, "posts": posts, "messages": messages, "at": at}},
            upsert=True,
        )
