"""Views: counting (one per visitor per post per local day), one report per closed period,
and the staff's statistics."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from nkohub_publishing.domain import views
from nkohub_publishing.domain.clock import day_bounds, local_day
from nkohub_publishing.repository import PostRepository, ViewRepository
from nkohub_shared.errors import NotFound
from nkohub_shared.limits import Limit
from nkohub_shared.storage.ratelimit import RateCounter


class ViewService:
    def __init__(
        self,
        repository: ViewRepository,
        posts: PostRepository,
        *,
        secret: str,
        bucket_seconds: int,
        rate_limits: RateCounter,
    ) -> None:
        self.repository = repository
        self.posts = posts
        self.rate_limits = rate_limits
        self.secret = secret
        self.bucket_seconds = bucket_seconds

    async def record(self, post_id: str, client: str, user_agent: str, now: datetime) -> bool:
        """Count a view unless it is a robot's, this visitor already viewed this post today,
        or the client address is past its limits (``domain.views``)."""
        if views.is_bot(user_agent):
            return False
        if not await self._within(views.VIEWS_PER_CLIENT, client, now):
            return False
        day = local_day(now)
        visitor = views.visitor_key(self.secret, client, user_agent, day, post_id)
        if not await self.repository.mark_visit(visitor, day):
            return False
        key = views.client_post_key(client, post_id)
        if not await self._within(views.NEW_VISITORS_PER_CLIENT_POST, key, now):
            return False
        start = views.bucket_start(now, self.bucket_seconds)
        await self.repository.add_day(post_id, day, 1)
        await self.repository.add_to_period(
            post_id, start, start + timedelta(seconds=self.bucket_seconds)
        )
        await self.posts.add_views(post_id, 1)
        return True

    async def _within(self, limit: Limit, key: str, now: datetime) -> bool:
        """Count one hit of ``key``; whether it is still within ``limit``."""
        return await self.rate_limits.hit(limit, key, now=now) <= limit.count

    async def report_closed(self, now: datetime, grace_seconds: float) -> list[str]:
        """One ``publishing.views.counted`` per closed, unreported period; the period is
        marked reported in the same write, so it is reported once. Visit marks older than
        yesterday are forgotten."""
        reported: list[str] = []
        async for bucket in self.repository.unreported_closed(
            now - timedelta(seconds=grace_seconds)
        ):
            report = views.views_counted(bucket["start"], bucket["end"], bucket.get("counts", {}))
            if await self.repository.mark_reported(bucket["_id"], now, report):
                reported.append(bucket["_id"])
        await self.repository.forget_visits_before(local_day(now) - timedelta(days=1))
        return reported

    async def stats(self, first: date, last: date) -> dict[str, Any]:
        """Posts published and post views in the local days [first, last]."""
        views.check_period(first, last, max_days=views.STATS_MAX_DAYS)
        start, _ = day_bounds(first)
        _, end = day_bounds(last)
        published = await self.posts.count_published_between(start, end)
        per_post = await self.repository.totals_between(first, last)
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "posts_published": published,
            "views": sum(per_post.values()),
            "top_posts": views.top_posts(per_post),
        }

    async def of_post(self, post_id: str, first: date, last: date) -> dict[str, Any]:
        """One post's views per day and per counting period (an hour by default)."""
        views.check_period(first, last, max_days=views.STATS_MAX_DAYS)
        if await self.posts.get(post_id) is None:
            raise NotFound(f"no post {post_id}", field="post_id")
        start, _ = day_bounds(first)
        _, end = day_bounds(last)
        return {
            "post_id": post_id,
            "days": await self.repository.daily(post_id, first, last),
            "periods": await self.repository.periods(post_id, start, end),
        }
