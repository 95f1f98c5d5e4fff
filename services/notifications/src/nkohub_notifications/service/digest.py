"""The daily digest of new blog posts (see ``domain.digest``): posts wait in the
database; the digest of a day is one run, and its messages carry a key per day and
person, so a repeated run sends nothing twice."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from nkohub_contracts import CloudEvent
from nkohub_contracts.publishing import PostPublished
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.digest import (
    day_label,
    digest_id,
    latest_cutoff,
    posts_for,
    window,
)
from nkohub_notifications.domain.subscribers import Topic
from nkohub_notifications.repository import DigestRepository, PostRepository
from nkohub_notifications.service.messages import Notifier

TEMPLATE = "blog_digest"
WEBHOOK_TEMPLATE = "blog_post"  # partner webhooks get each post's event at once


class Digests:
    def __init__(
        self,
        posts: PostRepository,
        digests: DigestRepository,
        notifier: Notifier,
        *,
        digest_time: time,
        timezone: str,
    ) -> None:
        self._posts = posts
        self._digests = digests
        self._notifier = notifier
        self._time = digest_time
        self._timezone = timezone

    async def post_published(self, event: PostPublished, envelope: CloudEvent) -> None:
        """Kept for the daily digest; partner webhooks get the event at once."""
        await self._posts.keep(
            event.post_id,
            {
                "title": event.title,
                "category": event.category,
                "url": event.url,
                "excerpt": event.excerpt,
                "published_at": event.published_at,
            },
            envelope.id,
        )
        await self._notifier.other_channels(
            Topic.BLOG, WEBHOOK_TEMPLATE, envelope, lambda _: None, None
        )

    async def post_unpublished(self, post_id: str) -> None:
        await self._posts.remove(post_id)

    def latest_cutoff(self) -> datetime:
        return latest_cutoff(now(), self._time, self._timezone)

    async def run_latest(self) -> int:
        return await self.run(self.latest_cutoff())

    async def run(self, cutoff: datetime) -> int:
        """Queue the digest of the 24 hours before ``cutoff``; returns messages queued."""
        day_id = digest_id(cutoff)
        if await self._digests.done(day_id):
            return 0
        posts = await self._posts.published_between(*window(cutoff))
        queued = 0
        if posts:
            day = day_label(cutoff, self._timezone)

            def context_for(subscriber: dict[str, Any]) -> dict[str, Any] | None:
                chosen = posts_for(subscriber, posts)
                return {"posts": chosen, "day": day} if chosen else None

            queued = await self._notifier.to_followers(
                topic=Topic.BLOG,
                template=TEMPLATE,
                cause=f"digest:{day_id}",
                context_for=context_for,
            )
        await self._digests.mark_done(day_id, posts=len(posts), messages=queued, at=now())
        return queued
