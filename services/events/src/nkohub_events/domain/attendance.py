"""Attendances: who came to a meetup, one per person per meetup (checked in at the door or
recorded from a sign-in sheet afterwards)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nkohub_contracts.events import AttendanceRecorded


@dataclass(frozen=True)
class Attendee:
    person_key: str
    role: str
    name: str | None
    organization_id: str | None
    organization_name: str | None
    registration_id: str | None


def attendance_id(meetup_id: str, person_key: str) -> str:
    """The id says "this person at this meetup": recording it twice is one attendance."""
    return f"{meetup_id}:{person_key}"


def attendance(
    m: dict[str, Any],
    who: Attendee,
    *,
    at: datetime,
    after_the_fact: bool,
    record_id: str,
) -> tuple[dict[str, Any], AttendanceRecorded]:
    """The attendance document and its event (which carries no name or contact)."""
    key = attendance_id(m["_id"], who.person_key)
    event = AttendanceRecorded(
        attendance_id=key,
        meetup_id=m["_id"],
        meetup_title=m["title"],
        meetup_starts_at=m["starts_at"],
        person_key=who.person_key,
        role=who.role,
        organization_id=who.organization_id,
        registration_id=who.registration_id,
        checked_in_at=at,
        recorded_after_the_fact=after_the_fact,
    )
    doc = {
        "_id": key,
        "meetup_id": m["_id"],
        "meetup_starts_at": m["starts_at"],
        "person_key": who.person_key,
        "name": who.name,
        "role": who.role,
        "organization_id": who.organization_id,
        "organization_name": who.organization_name,
        "registration_id": who.registration_id,
        "checked_in_at": at,
        "recorded_after_the_fact": after_the_fact,
        "id": record_id,
    }
    return doc, event


def from_registration(r: dict[str, Any]) -> Attendee:
    return Attendee(
        person_key=r["person_key"],
        role=r["role"],
        name=r["name"],
        organization_id=r.get("organization_id"),
        organization_name=r.get("organization_name"),
        registration_id=r["_id"],
    )
