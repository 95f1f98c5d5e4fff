"""«Who did what»: a record's history as the services give it (``[{at, actor, action}]``,
the actor being a token's ``sub``), with each actor shown by its account's name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ACTION_LABELS = {
    "created": "создал(а)",
    "updated": "изменил(а)",
    "published": "опубликовал(а)",
    "scheduled": "запланировал(а) публикацию",
    "unpublished": "снял(а) с публикации",
    "cancelled": "отменил(а)",
    "completed": "завершил(а)",
    "copied": "скопировал(а)",
    "approved": "одобрил(а)",
    "rejected": "отклонил(а)",
    "merged": "объединил(а)",
    "deactivated": "отключил(а)",
    "imported": "импортировал(а)",
    "deleted": "удалил(а)",
    "archived": "отправил(а) в архив",
    "registered": "зарегистрировал(а)",
    "walked_in": "записал(а) гостя у входа",
    "checked_in": "отметил(а) у входа",
    "answered": "ответил(а)",
    "needs_recorded": "записал(а) потребности",
    "grant_added": "добавил(а) грант",
}


def entries_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A record's staff history: ``history`` (meetups, posts) or ``staff_history``
    (organizations, whose ``history`` is their history with the library)."""
    for key in ("staff_history", "history"):
        value = record.get(key)
        if isinstance(value, list):
            return value
    return []


def actor_ids(history: Sequence[Mapping[str, Any]] | None) -> set[str]:
    return {str(h["actor"]) for h in history or () if h.get("actor")}


def who_did_what(
    history: Sequence[Mapping[str, Any]] | None, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Entries newest first; an actor without an account (a CLI token's ``sub``, a
    deleted account) is shown as it is."""
    out = []
    for entry in history or ():
        actor = str(entry.get("actor") or "")
        action = str(entry.get("action") or "")
        out.append(
            {
                "at": entry.get("at"),
                "actor": names.get(actor, actor or "система"),
                "action": ACTION_LABELS.get(action, action),
            }
        )
    out.sort(key=lambda e: str(e["at"] or ""), reverse=True)
    return out
