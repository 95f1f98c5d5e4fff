"""Storage of posts: ``posts`` (with their outbox), ``slugs`` (every slug a post ever had:
unique reservation and 301 redirects) and ``redirects`` (old Blogger paths)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.audit import HISTORY_FIELD, HISTORY_LIMIT
from nkohub_publishing.domain.posts import EVER_PUBLISHED, PostStatus
from nkohub_shared.storage.idempotent import APPLIED_FIELD
from nkohub_shared.storage.writeclock import unseen
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

PUBLIC_PROJECTION = {**WITHOUT_OUTBOX, APPLIED_FIELD: 0, "words": 0}
LISTING_PROJECTION = {**PUBLIC_PROJECTION, "body": 0, "html": 0}
PUBLISHED = PostStatus.PUBLISHED.value


def _with_history(update: Document, history: Document | None) -> Document:
    if history is None:
        return update
    return {**update, "$push": {HISTORY_FIELD: {"$each": [history], "$slice": -HISTORY_LIMIT}}}


class PostRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.posts = db["posts"]
        self.slugs = db["slugs"]
        self.redirects = db["redirects"]
        self.writer = outbox.writer(self.posts)

    # ------------------------------------------------------------ slugs

    async def hold_slug(self, slug: str, post_id: str) -> bool:
        """Reserve ``slug`` for the post; whether it is the post's (newly or already)."""
        try:
            await self.slugs.insert_one({"_id": slug, "post_id": post_id})
            return True
        except DuplicateKeyError:
            holder = await self.slugs.find_one({"_id": slug})
            return bool(holder and holder["post_id"] == post_id)

    async def slug_holder(self, slug: str) -> str | None:
        """The post that holds (or once held) ``slug``."""
        held = await self.slugs.find_one({"_id": slug})
        return held["post_id"] if held else None

    # ------------------------------------------------------------ writes

    async def insert(self, post: Document) -> None:
        await self.posts.insert_one(post)

    async def insert_once(self, post: Document, *events: CloudEvent) -> bool:
        """Insert a post whose ``_id`` comes from its origin, with its events; ``False``
        when it is there already."""
        try:
            await self.writer.insert(post, *events)
        except DuplicateKeyError:
            return False
        return True

    async def change(
        self, post_id: str, fields: Document, history: Document | None = None
    ) -> Document | None:
        """Set ``fields`` (and append ``history`` to the post's bounded history); the post
        after, or ``None`` if there is none."""
        return await self.posts.find_one_and_update(
            {"_id": post_id},
            _with_history({"$set": fields}, history),
            projection=PUBLIC_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )

    async def change_status(
        self,
        post_id: str,
        status: str,
        fields: Document,
        *events: CloudEvent,
        history: Document | None = None,
    ) -> Document | None:
        """Set ``fields`` with ``events`` if the post still has ``status``; the post after,
        or ``None`` when it changed meanwhile."""
        return await self.writer.find_and_update(
            {"_id": post_id, "status": status},
            _with_history({"$set": fields}, history),
            *events,
            projection=PUBLIC_PROJECTION,
        )

    async def delete_if(self, post_id: str, statuses: Sequence[PostStatus]) -> bool:
        """Delete the post (and free its slugs) if its status is one of ``statuses``."""
        result = await self.posts.delete_one(
            {"_id": post_id, "status": {"$in": [s.value for s in statuses]}}
        )
        if result.deleted_count == 0:
            return False
        await self.slugs.delete_many({"post_id": post_id})
        return True

    async def update_once(
        self,
        post_id: str,
        condition: Document,
        update: Document,
        event_id: str,
        *events: CloudEvent,
        upsert: bool = False,
    ) -> bool:
        """A consumer's write to one post, applied once per consumed event."""
        return await self.writer.apply_once(
            {"_id": post_id, **condition}, update, event_id, *events, upsert=upsert
        )

    async def add_redirect(self, path: str, post_id: str) -> None:
        await self.redirects.update_one(
            {"_id": path}, {"$setOnInsert": {"post_id": post_id}}, upsert=True
        )

    # ------------------------------------------------------------ reads

    async def get(self, post_id: str) -> Document | None:
        return await self.posts.find_one({"_id": post_id}, PUBLIC_PROJECTION)

    async def status_of(self, post_id: str) -> str | None:
        post = await self.posts.find_one({"_id": post_id}, {"status": 1})
        return post["status"] if post else None

    async def due(self, now: datetime) -> AsyncIterator[Document]:
        """Scheduled posts whose time has come."""
        cursor = self.posts.find(
            {"status": PostStatus.SCHEDULED.value, "publish_at": {"$lte": now}}, PUBLIC_PROJECTION
        )
        async for post in cursor:
            yield post

    async def page(
        self, status: PostStatus | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        """Posts of any status (or of ``status``), last changed first, and their total."""
        query: Document = {"status": status.value} if status else {}
        total = await self.posts.count_documents(query)
        cursor = (
            self.posts.find(query, PUBLIC_PROJECTION)
            .sort([("updated_at", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [d async for d in cursor], total

    async def published(
        self,
        query: Document | None = None,
        *,
        limit: int,
        offset: int = 0,
        count: bool = True,
        full: bool = False,
    ) -> tuple[list[Document], int]:
        """A page of published posts, newest first, and (if ``count``) their total (else
        -1). Without ``full`` the bodies are left out (listings show excerpts)."""
        match = {"status": PUBLISHED, **(query or {})}
        total = await self.posts.count_documents(match) if count else -1
        cursor = (
            self.posts.find(match, PUBLIC_PROJECTION if full else LISTING_PROJECTION)
            .sort([("published_at", DESCENDING), ("_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [d async for d in cursor], total

    @staticmethod
    def having_words(words: list[str]) -> Document:
        """The query of posts having a word that starts with each of ``words``."""
        return {"$and": [{"words": {"$regex": f"^{re.escape(w)}"}} for w in words]}

    async def published_by_slug(self, slug: str) -> Document | None:
        return await self.posts.find_one({"slug": slug, "status": PUBLISHED}, PUBLIC_PROJECTION)

    async def published_slug(self, post_id: str) -> str | None:
        """The current slug of a published post."""
        post = await self.posts.find_one({"_id": post_id, "status": PUBLISHED}, {"slug": 1})
        return post["slug"] if post else None

    async def redirect_target(self, path: str) -> str | None:
        """The post an old Blogger path belongs to."""
        held = await self.redirects.find_one({"_id": path})
        return held["post_id"] if held else None

    async def sitemap_entries(self) -> list[Document]:
        """Slug and dates of every published post, newest first."""
        cursor = self.posts.find(
            {"status": PUBLISHED}, {"slug": 1, "updated_at": 1, "published_at": 1}
        ).sort([("published_at", -1)])
        return [p async for p in cursor]

    async def count_published_between(self, start: datetime, end: datetime) -> int:
        """Posts first published in [start, end) (archived ones count too)."""
        return await self.posts.count_documents(
            {
                "status": {"$in": [s.value for s in EVER_PUBLISHED]},
                "published_at": {"$gte": start, "$lt": end},
            }
        )

    async def add_views(self, post_id: str, views: int) -> None:
        # no public page shows the counter: a view keeps the cached pages
        with unseen():
            await self.posts.update_one({"_id": post_id}, {"$inc": {"views": views}})
