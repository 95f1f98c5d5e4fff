"""Who did what to a post: every staff write leaves an entry in its ``history``.

An entry is ``{"at": <UTC time>, "actor": <the staff token's sub>, "action": <code>}``;
the list only grows, in order, and keeps its last ``HISTORY_LIMIT`` entries (the
repository appends with a bounded ``$push``). The staff API shows it; public pages and
feeds never do. A scheduled post goes live on its own: its ``scheduled`` entry says who
scheduled it, and the ``publishing.post.published`` event names that person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nkohub_publishing.domain.posts import PostStatus

HISTORY_FIELD = "history"
HISTORY_LIMIT = 100
ACTOR_MAX = 200
DERIVED = ("updated_at", "words")  # what every edit writes, or follows from what it changes
ACTIONS = frozenset({"created", "updated", "published", "scheduled", "unpublished", "archived"})


def entry(actor: str, action: str, at: datetime) -> dict[str, Any]:
    """One line of the post's history. ``action`` is one of ``ACTIONS``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown history action {action!r}")
    return {"at": at, "actor": actor[:ACTOR_MAX], "action": action}


def edited(current: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Whether an edit changes anything but its time (an edit that changes nothing is
    not an entry); search words follow the title and body, so they are not compared."""
    return any(current.get(k) != v for k, v in changes.items() if k not in DERIVED)


def unpublishing_action(to: PostStatus) -> str:
    """Taken down to a draft (``unpublished``) or to the archive (``archived``)."""
    return "archived" if to == PostStatus.ARCHIVED else "unpublished"
