"""Speakers' contact e-mails (staff only): what a program item keeps of its speaker's
address, and ``events.meetup.speakers_listed`` — the whole list of a published meetup's
speakers with an address, sent again whenever it, the meetup's start or its status
changes, for the speakers' day-before reminders in notifications.

The address is personal data: it never appears on public pages, feeds or public API
answers (``meetups.STAFF_ONLY_PROGRAM_FIELDS``), the event that carries it is marked as
personal data (never in the history stream), and an erasure of the speaker removes it.
"""

from __future__ import annotations

from typing import Any

from nkohub_contracts.events import SpeakerContact, SpeakersListed
from nkohub_shared.privacy import person_key

# Statuses whose speakers the outside world may hear of (a draft was never announced).
ANNOUNCED = ("scheduled", "cancelled", "completed")


def with_email_key(item: dict[str, Any]) -> dict[str, Any]:
    """A program item with the pseudonymous key of its speaker's address (found by an
    erasure of that person), or without either."""
    out = {k: v for k, v in item.items() if k != "speaker_email_key"}
    if out.get("speaker_email"):
        out["speaker_email_key"] = person_key(out["speaker_email"])
    else:
        out.pop("speaker_email", None)
    return out


def contacts(m: dict[str, Any]) -> list[SpeakerContact]:
    return [
        SpeakerContact(
            position=p["position"],
            title=p["title"],
            starts_at=p.get("starts_at"),
            speaker_name=p.get("speaker_name"),
            email=p["speaker_email"],
        )
        for p in m.get("program") or []
        if p.get("speaker_email")
    ]


def listed_event(before: dict[str, Any] | None, after: dict[str, Any]) -> SpeakersListed | None:
    """The speakers' list when it matters to their reminders: a meetup with speakers'
    addresses (now or before) that is announced, whose list, start or status changed."""
    if after.get("status") not in ANNOUNCED:
        return None
    now_listed = contacts(after)
    was_listed = contacts(before) if before else []
    was_announced = bool(before) and before.get("status") in ANNOUNCED
    if not now_listed and not (was_announced and was_listed):
        return None
    if (
        was_announced
        and before is not None
        and was_listed == now_listed
        and before.get("starts_at") == after.get("starts_at")
        and before.get("status") == after.get("status")
    ):
        return None
    return SpeakersListed(
        meetup_id=after["_id"],
        starts_at=after["starts_at"],
        status=after["status"],
        speakers=now_listed,
    )
