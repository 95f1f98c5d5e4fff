"""A copy of a meetup on a new date (the library holds meetups of the same shape several
times a year): what the copy takes and how its times move.

The copy is a new draft: its title, kind, description, venue, capacity and reserved seats,
settings (waitlist, registration window, organizers, partners, topics, consultation
quota) and program are the source's, every time moved by the same delta (the new start
minus the source's start); its consultation slots are the source's with their
specialists, moved the same way and free. Registrations, questions, feedback,
attendance and bookings stay with the source. Speakers and specialists whose data were
erased are not copied.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from nkohub_events.domain.common import DEFAULT_TZ, as_utc
from nkohub_events.domain.erasure import ERASED
from nkohub_events.domain.meetups import MeetupIn, ProgramItemIn
from nkohub_shared.errors import InvalidInput

SHIFTED = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
COPIED = tuple(name for name in MeetupIn.model_fields if name != "slug")
SPEAKER_FIELDS = ("speaker_name", "speaker_person_key", "speaker_email")


class CopyIn(BaseModel):
    """The new start; a time without an offset is the venue's local time."""

    model_config = ConfigDict(extra="forbid")

    starts_at: datetime


def _moved(value: datetime | None, delta: timedelta) -> datetime | None:
    return value + delta if value is not None else None


def delta_of(source: dict[str, Any], starts_at: datetime, now: datetime) -> timedelta:
    """How far the copy moves from the source; a copy starts in the future."""
    start = as_utc(starts_at, source.get("timezone") or DEFAULT_TZ)
    if start <= now:
        raise InvalidInput("a copy must start in the future", field="starts_at")
    return start - source["starts_at"]


def program_item(item: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    copied = {k: item[k] for k in ProgramItemIn.model_fields if k in item}
    copied["starts_at"] = _moved(item.get("starts_at"), delta)
    if item.get("speaker_name") == ERASED:
        for name in SPEAKER_FIELDS:
            copied.pop(name, None)
    return copied


def meetup_fields(source: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    """The fields of the new meetup (as ``MeetupIn`` takes them), times moved by ``delta``;
    the copy gets its own slug from its title and date."""
    fields = {name: source[name] for name in COPIED if name in source}
    for name in SHIFTED:
        if name in fields:
            fields[name] = _moved(fields[name], delta)
    fields["venue"] = dict(source["venue"])
    fields["program"] = [program_item(item, delta) for item in source.get("program") or []]
    for name in ("organizer_ids", "partner_ids", "topics"):
        fields[name] = list(source.get(name) or [])
    return fields


def copied_slots(
    slots: list[dict[str, Any]],
    copy: dict[str, Any],
    delta: timedelta,
    new_ids: list[str],
    now: datetime,
) -> list[dict[str, Any]]:
    """The source's slots for the copy ``copy``: the same specialists and lengths, moved,
    free (no booking, no past bookings); erased specialists' slots are left out.
    ``new_ids``: one id per slot of ``slots``."""
    out = []
    for slot, slot_id in zip(slots, new_ids, strict=True):
        specialist = slot["specialist"]
        if specialist.get("erased") or specialist.get("name") == ERASED:
            continue
        out.append(
            {
                "_id": slot_id,
                "meetup_id": copy["_id"],
                "specialist": dict(specialist),
                "starts_at": slot["starts_at"] + delta,
                "duration_minutes": slot["duration_minutes"],
                "booking": None,
                "past_bookings": [],
                "created_at": now,
                "copied_from": slot["_id"],
            }
        )
    return out
