"""Posts: staff editing and statuses (with their events), and the blog's public reads."""

from __future__ import annotations

from datetime import datetime

from nkohub_contracts import CloudEvent
from nkohub_publishing.domain import Document, audit, posts
from nkohub_publishing.domain.clock import now_utc
from nkohub_publishing.domain.files import file_ids_in, undescribed_images
from nkohub_publishing.domain.posts import DELETABLE, PostCreate, PostFields, PostStatus
from nkohub_publishing.domain.text import post_slug, query_words, slug_variant
from nkohub_publishing.repository import PostRepository
from nkohub_publishing.service.files import FileService
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.ids import new_id

SLUG_TRIES = 1000


class PostService:
    def __init__(
        self, repository: PostRepository, base_url: str, files: FileService | None = None
    ) -> None:
        self.repository = repository
        self.base_url = base_url
        self.files = files

    async def check_files(self, body: str | None, cover_file_id: str | None) -> None:
        """The cover is an uploaded image with alt text; every file the body links to
        exists, and those it shows as images are described (422 naming the field)."""
        if self.files is None:
            return
        if cover_file_id:
            await self.files.usable(cover_file_id, field="cover_file_id", image=True)
        for file_id in file_ids_in(body or ""):
            await self.files.usable(file_id, field="body", image=False)
        for file_id in undescribed_images(body or ""):
            raise InvalidInput(
                f"у иллюстрации /files/{file_id} нет описания: ![описание](/files/…)",
                field="body",
            )

    def url(self, slug: str) -> str:
        return posts.post_url(self.base_url, slug)

    def published_event(self, post: Document, actor: str | None = None) -> CloudEvent:
        return posts.published_event(post, self.base_url, actor)

    # ------------------------------------------------------------ slugs

    async def reserve_slug(self, wanted: str, post_id: str) -> str:
        """The first free slug among ``wanted``, ``wanted-2``, …; a slug the post already
        holds is its own (so a retried write gets the same slug)."""
        for n in range(1, SLUG_TRIES):
            candidate = slug_variant(wanted, n)
            if await self.repository.hold_slug(candidate, post_id):
                return candidate
        raise Conflict("no free slug", field="slug")

    async def claim_slug(self, slug: str, post_id: str) -> None:
        """Exactly this slug, which staff chose."""
        if not await self.repository.hold_slug(slug, post_id):
            raise Conflict(f"slug {slug!r} belongs to another post", field="slug")

    # ------------------------------------------------------------ staff

    async def create(self, fields: PostCreate, *, author: str) -> Document:
        """A draft (published or scheduled afterwards)."""
        await self.check_files(fields.body, fields.cover_file_id)
        post_id = new_id()
        if fields.slug:
            await self.claim_slug(fields.slug, post_id)
            slug = fields.slug
        else:
            slug = await self.reserve_slug(post_slug(fields.title), post_id)
        now = now_utc()
        post = {
            "_id": post_id,
            **posts.staff_post(fields, slug=slug, author=author, now=now),
            audit.HISTORY_FIELD: [audit.entry(author, "created", now)],
        }
        await self.repository.insert(post)
        return post

    async def get(self, post_id: str) -> Document:
        post = await self.repository.get(post_id)
        if post is None:
            raise NotFound(f"no post {post_id}", field="post_id")
        return post

    async def update(self, post_id: str, fields: PostFields, *, actor: str) -> Document:
        """Edit a post; a published post keeps its URL unless staff give a new ``slug``
        (every former slug then redirects)."""
        current = await self.get(post_id)
        await self.check_files(fields.body, fields.cover_file_id)
        now = now_utc()
        edit = posts.edit(current, fields, now)
        changes = dict(edit.changes)
        if edit.slug:
            await self.claim_slug(edit.slug, post_id)
            changes["slug"], changes["slug_explicit"] = edit.slug, True
        elif edit.slug_from_title:
            changes["slug"] = await self.reserve_slug(edit.slug_from_title, post_id)
        history = audit.entry(actor, "updated", now) if audit.edited(current, changes) else None
        post = await self.repository.change(post_id, changes, history)
        if post is None:
            raise NotFound(f"no post {post_id}", field="post_id")
        return post

    async def publish(self, post_id: str, *, actor: str) -> Document:
        current = await self.get(post_id)
        if current["status"] == PostStatus.PUBLISHED:
            return current
        now = now_utc()
        fields = posts.publication(current, now)
        event = self.published_event({**current, **fields}, actor)
        return await self._transition(current, fields, event, history=(actor, "published", now))

    async def schedule(self, post_id: str, publish_at: datetime, *, actor: str) -> Document:
        """Staff set when the post goes live; who did is remembered (``scheduled_by``)
        and named by the event when it goes live."""
        now = now_utc()
        posts.check_publish_at(publish_at, now)
        current = await self.get(post_id)
        posts.check_schedulable(current["status"])
        fields = {**posts.scheduling(publish_at, now), "scheduled_by": actor}
        return await self._transition(current, fields, history=(actor, "scheduled", now))

    async def unpublish(self, post_id: str, to: PostStatus, *, actor: str) -> Document:
        current = await self.get(post_id)
        if current["status"] == to:
            return current
        now = now_utc()
        was_published = current["status"] == PostStatus.PUBLISHED
        events = [posts.unpublished_event(current, actor)] if was_published else []
        return await self._transition(
            current,
            posts.unpublication(to, now),
            *events,
            history=(actor, audit.unpublishing_action(to), now),
        )

    async def _transition(
        self,
        current: Document,
        fields: Document,
        *events: CloudEvent,
        history: tuple[str, str, datetime] | None = None,
    ) -> Document:
        """Change a post's status from the one it was read with, with the events;
        ``history``: (actor, action, time) of the staff member who changed it."""
        post = await self.repository.change_status(
            current["_id"],
            current["status"],
            fields,
            *events,
            history=audit.entry(*history) if history else None,
        )
        if post is None:
            raise Conflict("the post changed meanwhile; try again", field="status")
        return post

    async def delete(self, post_id: str) -> None:
        """Only drafts are deleted (a published post is archived)."""
        if not await self.repository.delete_if(post_id, DELETABLE):
            await self.get(post_id)
            raise Conflict("only drafts are deleted; archive a published post", field="status")

    async def publish_due(self, now: datetime) -> list[str]:
        """Publish every scheduled post whose time has come. The status condition makes
        each one go live exactly once, whichever process (or restart) gets there first."""
        published: list[str] = []
        async for post in self.repository.due(now):
            fields = posts.due_publication(post, now)
            event = self.published_event({**post, **fields}, post.get("scheduled_by"))
            if await self.repository.change_status(
                post["_id"], PostStatus.SCHEDULED.value, fields, event
            ):
                published.append(post["_id"])
        return published

    async def staff_list(
        self, status: PostStatus | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        return await self.repository.page(status, limit, offset)

    # ------------------------------------------------------------ public reads

    async def published(
        self,
        query: Document | None = None,
        *,
        limit: int,
        offset: int = 0,
        count: bool = True,
        full: bool = False,
    ) -> tuple[list[Document], int]:
        """A page of published posts, newest first, and (if ``count``) their total."""
        return await self.repository.published(
            query, limit=limit, offset=offset, count=count, full=full
        )

    async def search(self, text: str, *, limit: int, offset: int) -> tuple[list[Document], int]:
        """Published posts having every word of ``text`` (as a prefix, ё = е)."""
        words = query_words(text)
        if not words:
            return [], 0
        return await self.published(self.repository.having_words(words), limit=limit, offset=offset)

    async def by_slug(self, slug: str) -> tuple[Document | None, str | None]:
        """The published post with this slug, or the slug it now has (for a redirect)."""
        post = await self.repository.published_by_slug(slug)
        if post is not None:
            return post, None
        holder = await self.repository.slug_holder(slug)
        if holder is None:
            return None, None
        return None, await self.repository.published_slug(holder)

    async def legacy_target(self, path: str) -> str | None:
        """The slug of the published post an old Blogger path now points to."""
        post_id = await self.repository.redirect_target(path)
        return await self.repository.published_slug(post_id) if post_id else None

    async def sitemap_entries(self) -> list[Document]:
        return await self.repository.sitemap_entries()

    async def count_published_between(self, start: datetime, end: datetime) -> int:
        return await self.repository.count_published_between(start, end)
