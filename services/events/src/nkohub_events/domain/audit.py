"""Who did what: every staff write leaves an entry in its record's ``history``.

An entry is ``{"at": <UTC time>, "actor": <the staff token's sub>, "action": <code>}``;
the list only grows, in order, and keeps its last ``HISTORY_LIMIT`` entries (the
repository appends with a bounded ``$push``). Staff views show it; public views never do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

HISTORY_FIELD = "history"
HISTORY_LIMIT = 100
ACTOR_MAX = 200  # a token's ``sub`` is the console account's id or a CLI name

# The actions of this service's records, by record.
MEETUP_ACTIONS = frozenset({"created", "copied", "updated", "published", "cancelled", "completed"})
REGISTRATION_ACTIONS = frozenset({"registered", "walked_in", "checked_in", "cancelled"})
QUESTION_ACTIONS = frozenset({"approved", "rejected", "merged", "answered"})
ACTIONS = MEETUP_ACTIONS | REGISTRATION_ACTIONS | QUESTION_ACTIONS


def entry(actor: str, action: str, at: datetime) -> dict[str, Any]:
    """One line of a record's history. ``action`` is one of ``ACTIONS``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown history action {action!r}")
    return {"at": at, "actor": actor[:ACTOR_MAX], "action": action}


def history_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's history, oldest first, as staff see it."""
    return [
        {"at": e["at"], "actor": e["actor"], "action": e["action"]}
        for e in record.get(HISTORY_FIELD) or []
    ]


def appended(history: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """``history`` with ``new`` at its end, bounded as the repository bounds it."""
    return [*history, new][-HISTORY_LIMIT:]
