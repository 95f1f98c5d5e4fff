"""Posts and post views, the practice report's read model of the publishing service's
events (never its database). Writes are applied once per consumed event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.storage.idempotent import apply_once

Document = dict[str, Any]


class PostRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.posts = db["posts"]
        self.views = db["post_views"]

    async def set_post(self, post_id: str, fields: Document, event_id: str) -> bool:
        return await apply_once(
            self.posts, {"_id": post_id}, {"$set": fields}, event_id, upsert=True
        )

    async def set_views(self, period_id: str, fields: Document, event_id: str) -> bool:
        return await apply_once(
            self.views, {"_id": period_id}, {"$set": fields}, event_id, upsert=True
        )

    async def published_between(self, since: datetime, until: datetime) -> list[Document]:
        cursor = self.posts.find(
            {"published": True, "published_at": {"$gte": since, "$lt": until}},
            {"published": 1, "published_at": 1},
        )
        return [p async for p in cursor]

    async def views_between(self, since: datetime, until: datetime) -> list[Document]:
        cursor = self.views.find(
            {"period_start": {"$gte": since, "$lt": until}}, {"period_start": 1, "views": 1}
        )
        return [v async for v in cursor]
