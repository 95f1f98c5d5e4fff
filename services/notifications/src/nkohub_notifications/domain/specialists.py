"""Reminders to specialists the day before their consultations: the read model of a
booked slot, how slots are grouped (one reminder per specialist and meetup — or, for a
consultation outside a meetup, per specialist and day) and when a group is due.

Exactly once per person and group: the message's idempotency key is
``specialist-reminder:<group>|<specialist's person key>|specialist_reminder`` (unique),
so two schedulers — replicas, or a run after a crash — queue it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nkohub_contracts.events import ConsultationBooked

BEFORE = timedelta(days=1)  # the day before
TEMPLATE = "specialist_reminder"
DEFAULT_TIMEZONE = "Europe/Samara"


def group_of(meetup_id: str | None, starts_at: datetime, timezone: str) -> str:
    """``meetup:<id>``, or ``day:<local date>`` for a consultation outside a meetup."""
    if meetup_id:
        return f"meetup:{meetup_id}"
    return f"day:{starts_at.astimezone(ZoneInfo(timezone)).date().isoformat()}"


def slot_document(event: ConsultationBooked, specialist_key: str) -> dict[str, Any]:
    """A booked slot as the reminder needs it: the contact's name only, not their address."""
    return {
        "_id": event.consultation_id,
        "meetup_id": event.meetup_id,
        "group": group_of(event.meetup_id, event.starts_at, DEFAULT_TIMEZONE),
        "specialist_key": specialist_key,
        "specialist": event.specialist.model_dump(),
        "starts_at": event.starts_at,
        "duration_minutes": event.duration_minutes,
        "organization_name": event.organization_name,
        "contact_name": event.contact.name,
        "contact_key": event.contact.person_key,
        "status": "booked",
    }


def due_window(at: datetime) -> tuple[datetime, datetime]:
    """Slots starting in this window make their group due now."""
    return at, at + BEFORE


def reminder_cause(group: str) -> str:
    return f"specialist-reminder:{group}"


def slots_context(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "starts_at": s["starts_at"],
            "duration_minutes": s["duration_minutes"],
            "organization_name": s.get("organization_name"),
            "contact_name": s.get("contact_name"),
        }
        for s in sorted(slots, key=lambda s: s["starts_at"])
    ]
