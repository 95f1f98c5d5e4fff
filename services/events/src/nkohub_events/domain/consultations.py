"""Specialists and consultation slots; a consultation is the booking of a slot.

A booking lives inside its slot document (``booking``), so "one booking per slot" is a
single conditional write (``booking: null`` → the booking), carrying its event.
Booking statuses: ``booked`` → ``completed`` | ``no_show``; a cancelled booking moves to
the slot's ``past_bookings`` and the slot is free again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_events.domain.common import Email, LongText, Ogrn, Phone, Specialty, Text
from nkohub_shared.contracts.common import Participant, Specialist

CONSULTATION_PURPOSE = "consultation"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpecialistIn(_In):
    name: Text
    specialty: Specialty
    body: Text | None = None
    email: Email | None = None


class SlotIn(_In):
    specialist_id: str = Field(min_length=1, max_length=100)
    starts_at: datetime
    duration_minutes: int = Field(default=30, ge=5, le=240)


class ContactIn(_In):
    name: Text
    email: Email
    phone: Phone | None = None


class BookingIn(_In):
    organization_id: str | None = Field(default=None, max_length=100)
    organization_ogrn: Ogrn | None = None
    organization_name: Text | None = None
    contact: ContactIn
    question: LongText | None = None
    consent_personal_data: bool = False


class OutcomeIn(_In):
    outcome: LongText | None = None
    given_on: date | None = None


class GivenIn(_In):
    """A consultation given without a booking, recorded afterwards (issue 7)."""

    specialist_id: str = Field(min_length=1, max_length=100)
    meetup_id: str | None = Field(default=None, max_length=100)
    given_on: date
    starts_at: datetime | None = None
    duration_minutes: int = Field(default=30, ge=5, le=240)
    organization_id: str | None = Field(default=None, max_length=100)
    organization_ogrn: Ogrn | None = None
    organization_name: Text | None = None
    outcome: LongText | None = None
    key: str | None = Field(
        default=None,
        max_length=200,
        description="the caller's id of this record: repeats are no-ops",
    )


def specialist_model(s: dict[str, Any]) -> Specialist:
    return Specialist(
        specialist_id=s["_id"],
        name=s["name"],
        specialty=s["specialty"],
        body=s.get("body"),
        email=s.get("email"),
    )


def specialist_public(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "specialist_id": s["_id"],
        "name": s["name"],
        "specialty": s["specialty"],
        "body": s.get("body"),
    }


def contact_model(booking: dict[str, Any]) -> Participant:
    c = booking["contact"]
    return Participant(
        person_key=c["person_key"],
        name=c["name"],
        email=c["email"],
        role="ngo_representative",
        organization_id=booking.get("organization_id"),
        organization_name=booking.get("organization_name"),
    )


def slot_public(slot: dict[str, Any]) -> dict[str, Any]:
    booking = slot.get("booking")
    return {
        "slot_id": slot["_id"],
        "meetup_id": slot.get("meetup_id"),
        "specialist": specialist_public(slot["specialist"]),
        "starts_at": slot["starts_at"],
        "duration_minutes": slot["duration_minutes"],
        "booked": booking is not None,
    }


def slot_staff(slot: dict[str, Any]) -> dict[str, Any]:
    view = slot_public(slot)
    view["booking"] = slot.get("booking")
    view["past_bookings"] = slot.get("past_bookings", [])
    return view
