"""Who did what to an organization: every staff write leaves an entry in its
``staff_history`` (``history`` is taken: it is the organization's history with us, the
meetups it came to and the grants it won).

An entry is ``{"at": <UTC time>, "actor": <the staff token's sub>, "action": <code>}``;
the list only grows, in order, and keeps its last ``HISTORY_LIMIT`` entries (the
repository appends with a bounded ``$push``). Staff views show it; public views never do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

HISTORY_FIELD = "staff_history"
HISTORY_LIMIT = 100
ACTOR_MAX = 200

ACTIONS = frozenset(
    {
        "created",  # entered by staff
        "imported",  # entered or changed by a ministry file a staff member uploaded
        "approved",  # a self-registration became this official record
        "merged",  # a self-registration's fields were taken into this record
        "updated",
        "needs_recorded",
        "grant_added",
    }
)


def entry(actor: str, action: str, at: datetime) -> dict[str, Any]:
    """One line of the record's history. ``action`` is one of ``ACTIONS``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown history action {action!r}")
    return {"at": at, "actor": actor[:ACTOR_MAX], "action": action}


def history_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's staff history, oldest first."""
    return [
        {"at": e["at"], "actor": e["actor"], "action": e["action"]}
        for e in doc.get(HISTORY_FIELD) or []
    ]


def push(update: dict[str, Any], new: dict[str, Any] | None) -> dict[str, Any]:
    """``update`` that also appends ``new`` (if any) to the bounded history."""
    if new is None:
        return update
    pushes = {**update.get("$push", {}), HISTORY_FIELD: {"$each": [new], "$slice": -HISTORY_LIMIT}}
    return {**update, "$push": pushes}
