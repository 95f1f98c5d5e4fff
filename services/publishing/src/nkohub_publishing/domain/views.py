"""View counting: one view per visitor per post per local day, counted per day and per
period (an hour by default), each closed period reported once as ``publishing.views.counted``.

A visitor is never stored: only a one-day HMAC of IP + user agent + day + post.

A script cannot inflate a post's views: besides the one-per-visitor rule (which a script
would dodge by changing its user agent), a client address counts at most
``NEW_VISITORS_PER_CLIENT_POST`` visitors of one post a day and makes at most
``VIEWS_PER_CLIENT`` counting attempts an hour over all posts. Past a limit the page is
still served; only the counting stops.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, date, datetime, timedelta

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.publishing import PostViews, ViewsCounted
from nkohub_shared.errors import InvalidInput
from nkohub_shared.limits import Limit

USER_AGENT_MAX = 512  # characters of a user agent read (before any pattern)
# a library's reading room behind one address shows a few visitors a post a day, not dozens
NEW_VISITORS_PER_CLIENT_POST = Limit("publishing-view-visitors-per-client-post", 10, 86400)
# every page view of a post that would be counted, over all posts: a generous bound on the
# writes one address causes
VIEWS_PER_CLIENT = Limit("publishing-views-per-client", 300, 3600)

BOT_RE = re.compile(r"bot|crawl|spider|slurp|preview|monitor|curl|wget", re.I)
STATS_MAX_DAYS = 3700
TOP_POSTS = 20


def is_bot(user_agent: str) -> bool:
    """Robots (by user agent) are not counted."""
    return bool(BOT_RE.search(user_agent[:USER_AGENT_MAX]))


def client_post_key(client: str, post_id: str) -> str:
    """The key of one client address's visitors of one post (stored as a pseudonym)."""
    return f"{client}|{post_id}"


def visitor_key(secret: str, ip: str, user_agent: str, day: date, post_id: str) -> str:
    """A one-day pseudonym of a visitor of a post: HMAC of IP + user agent + day.

    It changes every day and cannot be turned back into an address, so no personal data
    is stored; it only lets the same visitor count once per post per day."""
    message = f"{day.isoformat()}|{ip}|{user_agent[:USER_AGENT_MAX]}|{post_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def bucket_start(moment: datetime, seconds: int) -> datetime:
    """Start of the counting period (an hour by default) containing ``moment``."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def day_key(post_id: str, day: date) -> str:
    """The id of one post's count of one day."""
    return f"{post_id}|{day.isoformat()}"


def views_counted(start: datetime, end: datetime, counts: dict[str, int]) -> CloudEvent:
    """The report of one period: its views in all and per post."""
    return new_event(
        ViewsCounted(
            period_start=start,
            period_end=end,
            views=sum(counts.values()),
            posts=[PostViews(post_id=p, views=n) for p, n in sorted(counts.items())],
        )
    )


def check_period(first: date, last: date, *, max_days: int | None = None) -> None:
    """A statistics period [first, last] in local days."""
    if last < first:
        raise InvalidInput("'to' is before 'from'", field="to")
    if max_days is not None and last - first > timedelta(days=max_days):
        raise InvalidInput("the period is too long (10 years at most)", field="to")


def top_posts(per_post: dict[str, int], limit: int = TOP_POSTS) -> list[dict[str, object]]:
    """The most viewed posts, most views first."""
    ranked = sorted(per_post.items(), key=lambda kv: -kv[1])[:limit]
    return [{"post_id": p, "views": n} for p, n in ranked]
