"""The practice report's read model of the publishing service's posts and their views."""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.publishing import PostPublished, PostUnpublished, ViewsCounted
from nkohub_events.repository.posts import PostRepository


class PostReadModel:
    def __init__(self, posts: PostRepository) -> None:
        self._posts = posts

    async def published(self, event: PostPublished, envelope: CloudEvent) -> None:
        fields = {
            "title": event.title,
            "category": event.category,
            "published_at": event.published_at,
            "published": True,
        }
        await self._posts.set_post(event.post_id, fields, envelope.id)

    async def unpublished(self, event: PostUnpublished, envelope: CloudEvent) -> None:
        await self._posts.set_post(event.post_id, {"published": False}, envelope.id)

    async def views_counted(self, event: ViewsCounted, envelope: CloudEvent) -> None:
        """Periods never overlap: one document per period start, so a repeat is a no-op."""
        fields = {
            "period_start": event.period_start,
            "period_end": event.period_end,
            "views": event.views,
        }
        await self._posts.set_views(event.period_start.isoformat(), fields, envelope.id)
