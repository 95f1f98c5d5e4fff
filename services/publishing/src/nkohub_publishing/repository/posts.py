"""Posts: slugs (reservation and redirects), statuses and their events, public reads."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_publishing import domain
from nkohub_publishing.domain import PostStatus
from nkohub_publishing.repository.base import Document, new_id, now_utc
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.publishing import PostPublished, PostUnpublished
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.storage.outbox import OUTBOX_FIELD, push_outbox, with_outbox

PUBLIC_PROJECTION = {OUTBOX_FIELD: 0, "_applied": 0, "words": 0}
LISTING_PROJECTION = {**PUBLIC_PROJECTION, "body": 0, "html": 0}


class Posts:
    def __init__(self, db: AsyncDatabase[Document], base_url: str) -> None:
        self.posts = db["posts"]
        self.slugs = db["slugs"]
        self.redirects = db["redirects"]
        self.base_url = base_url

    # ------------------------------------------------------------ slugs

    async def reserve_slug(self, wanted: str, post_id: str) -> str:
        """The first free slug among ``wanted``, ``wanted-2``, …; a slug the post already
        holds is its own (so a retried write gets the same slug)."""
        for n in range(1, 1000):
            candidate = wanted if n == 1 else f"{wanted[: domain.SLUG_MAX - 5]}-{n}"
            try:
                await self.slugs.insert_one({"_id": candidate, "post_id": post_id})
                return candidate
            except DuplicateKeyError:
                holder = await self.slugs.find_one({"_id": candidate})
                if holder and holder["post_id"] == post_id:
                    return candidate
        raise Conflict("no free slug", field="slug")

    async def claim_exact_slug(self, slug: str, post_id: str) -> None:
        if await self.reserve_slug_exact(slug, post_id) is False:
            raise Conflict(f"slug {slug!r} belongs to another post", field="slug")

    async def reserve_slug_exact(self, slug: str, post_id: str) -> bool:
        try:
            await self.slugs.insert_one({"_id": slug, "post_id": post_id})
            return True
        except DuplicateKeyError:
            holder = await self.slugs.find_one({"_id": slug})
            return bool(holder and holder["post_id"] == post_id)

    def url(self, slug: str) -> str:
        return f"{self.base_url}/posts/{slug}"

    # ------------------------------------------------------------ events

    def published_event(self, post: Document) -> Any:
        return new_event(
            PostPublished(
                post_id=post["_id"],
                slug=post["slug"],
                title=post["title"],
                category=post["category"],
                tags=post.get("tags", []),
                excerpt=post.get("excerpt", ""),
                url=self.url(post["slug"]),
                published_at=post["published_at"],
            )
        )

    def unpublished_event(self, post: Document) -> Any:
        return new_event(
            PostUnpublished(
                post_id=post["_id"], slug=post["slug"], published_at=post.get("published_at")
            )
        )

    # ------------------------------------------------------------ staff writes

    async def create(
        self, fields: domain.PostCreate, *, author: str, extra: Document | None = None
    ) -> Document:
        post_id = new_id()
        if fields.slug:
            await self.claim_exact_slug(fields.slug, post_id)
            slug = fields.slug
        else:
            slug = await self.reserve_slug(domain.make_slug(fields.title), post_id)
        now = now_utc()
        doc: Document = {
            "_id": post_id,
            "title": fields.title,
            "slug": slug,
            "slug_explicit": bool(fields.slug),
            "body": fields.body,
            "category": fields.category.value,
            "tags": fields.tags or [],
            "cover_image_url": str(fields.cover_image_url) if fields.cover_image_url else None,
            "attachments": [a.model_dump(mode="json") for a in fields.attachments or []],
            "author": fields.author or author,
            "status": PostStatus.DRAFT.value,
            "published_at": None,
            "publish_at": None,
            "created_at": now,
            "updated_at": now,
            "views": 0,
            **domain.rendered_fields(fields.title, fields.body, fields.excerpt),
            **(extra or {}),
        }
        await self.posts.insert_one(doc)
        return doc

    async def get(self, post_id: str) -> Document:
        doc = await self.posts.find_one({"_id": post_id}, PUBLIC_PROJECTION)
        if doc is None:
            raise NotFound(f"no post {post_id}", field="post_id")
        return doc

    async def update(self, post_id: str, fields: domain.PostFields) -> Document:
        current = await self.get(post_id)
        changes: Document = {}
        given = fields.model_dump(exclude_unset=True, mode="json")
        for key in ("title", "body", "category", "tags", "cover_image_url", "attachments"):
            if key in given and (given[key] is not None or key == "cover_image_url"):
                changes[key] = given[key]  # a cover is removed with null
        if given.get("author"):
            changes["author"] = given["author"]
        title = changes.get("title", current["title"])
        if fields.slug and fields.slug != current["slug"]:
            await self.claim_exact_slug(fields.slug, post_id)
            changes["slug"], changes["slug_explicit"] = fields.slug, True
        elif (
            "title" in changes
            and current.get("published_at") is None
            and not current.get("slug_explicit")
        ):
            # Before its first publication a post's slug follows its title; the old
            # slug stays reserved for it and redirects. After that the URL is stable.
            changes["slug"] = await self.reserve_slug(domain.make_slug(title), post_id)
        if {"title", "body"} & changes.keys() or "excerpt" in given:
            explicit = given.get("excerpt") if "excerpt" in given else None
            if "excerpt" not in given and current.get("excerpt_explicit"):
                explicit = current["excerpt"]
            body_format = "markdown" if "body" in changes else current.get("body_format", "")
            changes.update(
                domain.rendered_fields(
                    title,
                    changes.get("body", current["body"]),
                    explicit,
                    body_format or "markdown",
                )
            )
        changes["updated_at"] = now_utc()
        doc = await self.posts.find_one_and_update(
            {"_id": post_id},
            {"$set": changes},
            projection=PUBLIC_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise NotFound(f"no post {post_id}", field="post_id")
        return doc

    async def publish(self, post_id: str) -> Document:
        current = await self.get(post_id)
        if current["status"] == PostStatus.PUBLISHED:
            return current
        published_at = current.get("published_at") or now_utc()
        after = {**current, "status": PostStatus.PUBLISHED.value, "published_at": published_at}
        doc = await self.posts.find_one_and_update(
            {"_id": post_id, "status": current["status"]},
            push_outbox(
                {
                    "$set": {
                        "status": PostStatus.PUBLISHED.value,
                        "published_at": published_at,
                        "publish_at": None,
                        "updated_at": now_utc(),
                    }
                },
                self.published_event(after),
            ),
            projection=PUBLIC_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict("the post changed meanwhile; try again", field="status")
        return doc

    async def schedule(self, post_id: str, publish_at: datetime) -> Document:
        if publish_at <= now_utc():
            raise InvalidInput("publish_at must be in the future", field="publish_at")
        current = await self.get(post_id)
        if current["status"] not in (PostStatus.DRAFT, PostStatus.SCHEDULED):
            raise Conflict(
                f"a {current['status']} post cannot be scheduled; unpublish it first",
                field="status",
            )
        doc = await self.posts.find_one_and_update(
            {"_id": post_id, "status": current["status"]},
            {
                "$set": {
                    "status": PostStatus.SCHEDULED.value,
                    "publish_at": publish_at,
                    "updated_at": now_utc(),
                }
            },
            projection=PUBLIC_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict("the post changed meanwhile; try again", field="status")
        return doc

    async def unpublish(self, post_id: str, to: PostStatus) -> Document:
        current = await self.get(post_id)
        if current["status"] == to:
            return current
        update: Document = {
            "$set": {"status": to.value, "publish_at": None, "updated_at": now_utc()}
        }
        if current["status"] == PostStatus.PUBLISHED:
            update = push_outbox(update, self.unpublished_event(current))
        doc = await self.posts.find_one_and_update(
            {"_id": post_id, "status": current["status"]},
            update,
            projection=PUBLIC_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict("the post changed meanwhile; try again", field="status")
        return doc

    async def delete(self, post_id: str) -> None:
        result = await self.posts.delete_one(
            {"_id": post_id, "status": {"$in": [PostStatus.DRAFT.value]}}
        )
        if result.deleted_count == 0:
            await self.get(post_id)
            raise Conflict("only drafts are deleted; archive a published post", field="status")
        await self.slugs.delete_many({"post_id": post_id})

    async def publish_due(self, now: datetime) -> list[str]:
        """Publish every scheduled post whose time has come. The status condition makes
        each one go live exactly once, whichever process (or restart) gets there first."""
        published: list[str] = []
        cursor = self.posts.find(
            {"status": PostStatus.SCHEDULED.value, "publish_at": {"$lte": now}}
        )
        async for post in cursor:
            after = {**post, "status": PostStatus.PUBLISHED.value}
            after["published_at"] = post["publish_at"]
            done = await self.posts.find_one_and_update(
                {"_id": post["_id"], "status": PostStatus.SCHEDULED.value},
                push_outbox(
                    {
                        "$set": {
                            "status": PostStatus.PUBLISHED.value,
                            "published_at": post["publish_at"],
                            "publish_at": None,
                            "updated_at": now,
                        }
                    },
                    self.published_event(after),
                ),
            )
            if done is not None:
                published.append(post["_id"])
        return published

    async def staff_list(
        self, status: PostStatus | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: Document = {"status": status.value} if status else {}
        total = await self.posts.count_documents(query)
        cursor = (
            self.posts.find(query, PUBLIC_PROJECTION)
            .sort([("updated_at", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [d async for d in cursor], total

    # ------------------------------------------------------------ public reads

    async def published(
        self,
        query: Document | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
        count: bool = True,
        full: bool = False,
    ) -> tuple[list[Document], int]:
        """A page of published posts, newest first, and (if ``count``) their total.
        Without ``full`` the bodies are left out (listings show excerpts)."""
        match = {"status": PostStatus.PUBLISHED.value, **(query or {})}
        total = await self.posts.count_documents(match) if count else -1
        cursor = (
            self.posts.find(match, PUBLIC_PROJECTION if full else LISTING_PROJECTION)
            .sort([("published_at", DESCENDING), ("_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [d async for d in cursor], total

    async def search(self, text: str, *, limit: int, offset: int) -> tuple[list[Document], int]:
        words = domain.query_words(text)
        if not words:
            return [], 0
        query = {"$and": [{"words": {"$regex": f"^{re.escape(w)}"}} for w in words]}
        return await self.published(query, limit=limit, offset=offset)

    async def by_slug(self, slug: str) -> tuple[Document | None, str | None]:
        """The published post with this slug, or the slug it now has (for a redirect)."""
        post = await self.posts.find_one(
            {"slug": slug, "status": PostStatus.PUBLISHED.value}, PUBLIC_PROJECTION
        )
        if post is not None:
            return post, None
        held = await self.slugs.find_one({"_id": slug})
        if held is None:
            return None, None
        current = await self.posts.find_one(
            {"_id": held["post_id"], "status": PostStatus.PUBLISHED.value}, {"slug": 1}
        )
        return None, (current["slug"] if current else None)

    async def legacy_target(self, path: str) -> str | None:
        held = await self.redirects.find_one({"_id": path})
        if held is None:
            return None
        current = await self.posts.find_one(
            {"_id": held["post_id"], "status": PostStatus.PUBLISHED.value}, {"slug": 1}
        )
        return current["slug"] if current else None

    async def tags(self) -> list[tuple[str, int]]:
        pipeline = [
            {"$match": {"status": PostStatus.PUBLISHED.value}},
            {"$unwind": "$tags"},
            {"$group": {"_id": "$tags", "n": {"$sum": 1}}},
            {"$sort": {"n": -1}},
        ]
        return [(d["_id"], d["n"]) async for d in await self.posts.aggregate(pipeline)]

    async def insert_imported(self, doc: Document, *, published: bool) -> bool:
        """Insert an imported post once (``_id`` is derived from its origin)."""
        try:
            if published:
                await self.posts.insert_one(with_outbox(doc, self.published_event(doc)))
            else:
                await self.posts.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def add_redirect(self, path: str, post_id: str) -> None:
        await self.redirects.update_one(
            {"_id": path}, {"$setOnInsert": {"post_id": post_id}}, upsert=True
        )

    async def count_published_between(self, start: datetime, end: datetime) -> int:
        return await self.posts.count_documents(
            {
                "status": {"$in": [PostStatus.PUBLISHED.value, PostStatus.ARCHIVED.value]},
                "published_at": {"$gte": start, "$lt": end},
            }
        )
