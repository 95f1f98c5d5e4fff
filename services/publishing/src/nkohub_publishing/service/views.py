"""Views: counting (one per visitor per post per local day), one report per closed period,
and the staff's statistics.

A page view is counted off the request path (``count``): a visitor this process already
saw today costs nothing, a new one is counted by a task of its own while the page is
served. When ``COUNTING_MAX`` countings are already under way the reader's request counts
its view itself (slower, but no view is dropped under load). A view whose counting task was
still running when the process was killed is lost (a handful at most).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from typing import Any

from nkohub_publishing.domain import views
from nkohub_publishing.domain.clock import day_bounds, local_day
from nkohub_publishing.repository import PostRepository, ViewRepository
from nkohub_shared.errors import NotFound
from nkohub_shared.limits import Limit
from nkohub_shared.storage.ratelimit import RateCounter

log = logging.getLogger("nkohub.publishing.views")

COUNTING_MAX = 256  # countings under way at once before readers count their own
SEEN_MAX = 200_000  # visitor marks of today remembered in memory (~20 MB at most)
OVER_MAX = 10_000  # client addresses remembered as past their hourly limit


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
        self._seen: dict[str, None] = {}  # visitors marked today (insertion-ordered)
        self._seen_day: date | None = None
        self._counting: set[asyncio.Task[None]] = set()
        # client -> end of the window (epoch seconds) in which it went past
        # VIEWS_PER_CLIENT: no view of it counts until then, so no counter write either
        self._over: dict[str, int] = {}
        # visitors whose view is being counted now: their next requests need not count it
        # again (the visit mark would refuse it), so they start no counting of their own
        self._pending: set[str] = set()

    def _seen_today(self, visitor: str, day: date) -> bool:
        if self._seen_day != day:
            self._seen.clear()
            self._seen_day = day
        return visitor in self._seen

    def _remember(self, visitor: str, day: date) -> None:
        if self._seen_day == day:
            self._seen[visitor] = None
            while len(self._seen) > SEEN_MAX:
                del self._seen[next(iter(self._seen))]

    def _past_limit(self, client: str, now: datetime) -> bool:
        ends = self._over.get(client)
        if ends is None:
            return False
        if ends <= now.timestamp():
            del self._over[client]
            return False
        return True

    def _note_past_limit(self, client: str, now: datetime) -> None:
        limit = views.VIEWS_PER_CLIENT
        if len(self._over) >= OVER_MAX:
            moment = now.timestamp()
            self._over = {c: e for c, e in self._over.items() if e > moment}
            if len(self._over) >= OVER_MAX:
                return
        self._over[client] = limit.window_start(now) + limit.per_seconds

    async def count(self, post_id: str, client: str, user_agent: str, now: datetime) -> None:
        """Count a page view without making the reader wait for it (see the module)."""
        if views.is_bot(user_agent) or self._past_limit(client, now):
            return
        day = local_day(now)
        visitor = views.visitor_key(self.secret, client, user_agent, day, post_id)
        if self._seen_today(visitor, day) or visitor in self._pending:
            return
        self._pending.add(visitor)
        counting = self._record_quietly(post_id, client, user_agent, now, visitor)
        if len(self._counting) >= COUNTING_MAX:
            await counting
            return
        task = asyncio.create_task(counting)
        self._counting.add(task)
        task.add_done_callback(self._counting.discard)

    async def settled(self) -> None:
        """Wait for the countings under way (a stopping process, a test)."""
        while self._counting:
            await asyncio.gather(*self._counting, return_exceptions=True)

    async def _record_quietly(
        self, post_id: str, client: str, user_agent: str, now: datetime, visitor: str
    ) -> None:
        try:
            await self.record(post_id, client, user_agent, now)
        except Exception as exc:  # a view not counted must not cost the reader the page
            log.warning("view not counted: %r", exc, extra={"post_id": post_id})
        finally:
            self._pending.discard(visitor)

    async def record(self, post_id: str, client: str, user_agent: str, now: datetime) -> bool:
        """Count a view unless it is a robot's, this visitor already viewed this post today,
        or the client address is past its limits (``domain.views``)."""
        if views.is_bot(user_agent):
            return False
        day = local_day(now)
        visitor = views.visitor_key(self.secret, client, user_agent, day, post_id)
        if self._seen_today(visitor, day):
            return False
        if self._past_limit(client, now):
            return False
        if not await self._within(views.VIEWS_PER_CLIENT, client, now):
            self._note_past_limit(client, now)  # the window's count only grows: skip it
            return False
        marked = await self.repository.mark_visit(visitor, day)
        self._remember(visitor, day)
        if not marked:
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
