"""The daily digest of new blog posts: one e-mail per follower per day, not one per post.

Posts arrive with ``publishing.post.published`` and wait in ``posts``. Each day at
``digest_time`` (``digest_timezone``) the posts published in the previous 24 hours go to
the followers of the blog topic (filtered by their categories, if they chose some). The
digest of a day is one run (``digests/<day>``); messages carry a key per day and person,
so a repeated run sends nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nkohub_notifications.domain import Topic, now
from nkohub_notifications.rendering import day_ru
from nkohub_notifications.repository import DIGESTS, POSTS

if TYPE_CHECKING:
    from nkohub_notifications.app import NotificationsContext


def latest_cutoff(at: datetime, digest_time: Any, timezone: str) -> datetime:
    """The most recent digest moment at or before ``at``."""
    tz = ZoneInfo(timezone)
    local = at.astimezone(tz)
    cutoff = datetime.combine(local.date(), digest_time, tzinfo=tz)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(UTC)


async def run_latest(ctx: NotificationsContext) -> int:
    s = ctx.settings
    return await run_digest(ctx, latest_cutoff(now(), s.digest_time, s.digest_timezone))


async def run_digest(ctx: NotificationsContext, cutoff: datetime) -> int:
    """Queue the digest of the 24 hours before ``cutoff``; returns messages queued."""
    day = cutoff.astimezone(ZoneInfo(ctx.settings.digest_timezone)) - timedelta(days=1)
    day_id = cutoff.astimezone(UTC).isoformat()
    if await ctx.db[DIGESTS].find_one({"_id": day_id, "status": "done"}):
        return 0
    cursor = (
        ctx.db[POSTS]
        .find({"published_at": {"$gte": cutoff - timedelta(days=1), "$lt": cutoff}})
        .sort("published_at", 1)
    )
    posts = [{k: p.get(k) for k in ("title", "category", "url", "excerpt")} async for p in cursor]
    queued = 0
    if posts:

        def context_for(subscriber: dict[str, Any]) -> dict[str, Any] | None:
            wanted = set(subscriber.get("blog_categories") or [])
            chosen = [p for p in posts if not wanted or p["category"] in wanted]
            return {"posts": chosen, "day": day_ru(day)} if chosen else None

        queued = await ctx.notifier.to_followers(
            topic=Topic.BLOG,
            template="blog_digest",
            cause=f"digest:{day_id}",
            context_for=context_for,
        )
    await ctx.db[DIGESTS].update_one(
        {"_id": day_id},
        {"$set": {"status": "done", "posts": len(posts), "messages": queued, "at": now()}},
        upsert=True,
    )
    return queued
