"""The daily digest of new blog posts: one e-mail per follower per day, not one per post.

Each day at ``digest_time`` (``digest_timezone``) the posts published in the previous
24 hours go to the followers of the blog topic, filtered by their categories if they
chose some. A day's digest is one run, named by its cutoff.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nkohub_notifications.domain.wording import day_ru

POST_FIELDS = ("title", "category", "url", "excerpt")


def latest_cutoff(at: datetime, digest_time: time, timezone: str) -> datetime:
    """The most recent digest moment at or before ``at`` (UTC)."""
    tz = ZoneInfo(timezone)
    local = at.astimezone(tz)
    cutoff = datetime.combine(local.date(), digest_time, tzinfo=tz)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(UTC)


def window(cutoff: datetime) -> tuple[datetime, datetime]:
    """The posts of a digest: published in ``[cutoff − 24 h, cutoff)``."""
    return cutoff - timedelta(days=1), cutoff


def digest_id(cutoff: datetime) -> str:
    return cutoff.astimezone(UTC).isoformat()


def day_label(cutoff: datetime, timezone: str) -> str:
    """The day a digest covers, as people read it: ``15 апреля 2026 г.``."""
    return day_ru(cutoff.astimezone(ZoneInfo(timezone)) - timedelta(days=1))


def posts_for(subscriber: dict[str, Any], posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The posts a follower wants: all, or those of the categories they chose."""
    wanted = set(subscriber.get("blog_categories") or [])
    return [p for p in posts if not wanted or p["category"] in wanted]
