"""Specialists and consultation slots; a consultation is the booking of a slot.

A booking lives inside its slot document (``booking``), so "one booking per slot" is a
single conditional write (``booking: null`` → the booking), carrying its event.
Booking statuses: ``booked`` → ``completed`` | ``no_show``; a cancelled booking moves to
the slot's ``past_bookings`` and the slot is free again.

An organization holds at most N active bookings per meetup (the meetup's
``consultations_per_organization``, else the service's default): its quota is the list of
its active consultation ids, one document per (meetup, organization).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts.common import Participant, Specialist
from nkohub_contracts.events import (
    ConsultationBooked,
    ConsultationCancelled,
    ConsultationCompleted,
)
from nkohub_events.domain.common import LongText, Name, Ogrn, Phone, Question, Specialty, Text
from nkohub_events.domain.door import (
    address_hold_id,
    too_many_bookings_for_address,
    too_many_bookings_from_client,
)
from nkohub_events.domain.figures import organization_key
from nkohub_shared.errors import Conflict, DomainError, InvalidInput
from nkohub_shared.privacy import normalise_email, person_key
from nkohub_shared.text import Email

Outcome = Literal["completed", "no_show"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpecialistIn(_In):
    name: Name
    specialty: Specialty
    body: Text | None = None
    email: Email | None = None


class SlotIn(_In):
    specialist_id: str = Field(min_length=1, max_length=100)
    starts_at: datetime
    duration_minutes: int = Field(default=30, ge=5, le=240)


class ContactIn(_In):
    name: Name
    email: Email
    phone: Phone | None = None


class BookingIn(_In):
    organization_id: str | None = Field(default=None, max_length=100)
    organization_ogrn: Ogrn | None = None
    organization_name: Name | None = None
    contact: ContactIn
    question: Question | None = None
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
    organization_name: Name | None = None
    outcome: LongText | None = None
    key: str | None = Field(
        default=None,
        max_length=200,
        description="the caller's id of this record: repeats are no-ops",
    )


def new_specialist(specialist_id: str, data: SpecialistIn, now: datetime) -> dict[str, Any]:
    """A specialist; with an e-mail, their person key too (erasure finds them by it)."""
    doc = {"_id": specialist_id, **data.model_dump(), "created_at": now}
    doc["person_key"] = person_key(data.email) if data.email else None
    return doc


# -- slots --------------------------------------------------------------------------------


def slot_end(slot: dict[str, Any]) -> datetime:
    return slot["starts_at"] + timedelta(minutes=slot["duration_minutes"])


def require_open_for_slots(meetup: dict[str, Any]) -> None:
    if meetup["status"] in ("completed", "cancelled"):
        raise Conflict(f"the meetup is {meetup['status']}", field="meetup_id")


def check_within(meetup: dict[str, Any], starts: datetime, ends: datetime) -> None:
    if starts < meetup["starts_at"] or ends > meetup["ends_at"]:
        raise InvalidInput("the slot must lie within the meetup's time", field="starts_at")


def check_no_overlap(others: list[dict[str, Any]], starts: datetime, ends: datetime) -> None:
    """A specialist gives one consultation at a time."""
    for other in others:
        if other["starts_at"] < ends and slot_end(other) > starts:
            raise Conflict("the specialist has another slot then", field="starts_at")


def new_slot(
    slot_id: str,
    meetup: dict[str, Any],
    specialist: dict[str, Any],
    starts: datetime,
    duration_minutes: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "_id": slot_id,
        "meetup_id": meetup["_id"],
        "specialist": specialist,
        "starts_at": starts,
        "duration_minutes": duration_minutes,
        "booking": None,
        "past_bookings": [],
        "created_at": now,
    }


# -- booking ------------------------------------------------------------------------------


def require_consent(data: BookingIn) -> None:
    if not data.consent_personal_data:
        raise InvalidInput(
            "consent to the processing of personal data is required",
            field="consent_personal_data",
        )


def check_bookable(slot: dict[str, Any], meetup: dict[str, Any], now: datetime) -> None:
    if meetup["status"] != "scheduled":
        raise Conflict(f"the meetup is {meetup['status']}", field="slot_id")
    if slot["starts_at"] <= now:
        raise Conflict("the slot has begun", field="slot_id")
    if slot.get("booking") is not None:
        raise Conflict("the slot is already booked", field="slot_id")


def booking_organization_key(organization: dict[str, Any]) -> str:
    """Who the quota counts: the registry id, else the normalised name (which is required)."""
    key = organization_key(organization["organization_id"], organization["organization_name"])
    if key is None:
        raise InvalidInput(
            "name the organization (registry id, ОГРН or name)", field="organization_name"
        )
    return key


def quota_limit(meetup: dict[str, Any], default: int) -> int:
    """Active bookings an organization may hold at this meetup."""
    return meetup.get("consultations_per_organization") or default


def quota_id(meetup_id: str, org_key: str) -> str:
    return f"{meetup_id}:{org_key}"


def contact_is_known(organization: dict[str, Any] | None, email: str) -> bool:
    """Whether the contact is the registry organization's own public address."""
    known = (organization or {}).get("public_email")
    return bool(known) and normalise_email(known) == normalise_email(email)


def quota_key(org_key: str, organization_id: str | None, contact_key: str, known: bool) -> str:
    """Whom the NGO quota counts. A registry NGO (named by id or ОГРН) is counted as a
    whole only for bookings by its known contact (its public e-mail in the registry);
    any other contact who names it has a quota of its own in its name, so a stranger who
    quotes an NGO's id cannot use up the NGO's consultations. A typed name is counted by
    its normalised text, whoever types it."""
    if organization_id and not known:
        return f"{org_key}|contact:{contact_key}"
    return org_key


@dataclass(frozen=True)
class Hold:
    """One of the places a booking takes: its quota id, its size, the refusal when full."""

    quota_id: str
    limit: int
    refusal: DomainError


def booking_holds(
    meetup_id: str,
    org_quota_key: str,
    org_limit: int,
    contact_key: str,
    address_limit: int,
    client_hold: str | None,
    client_limit: int,
) -> list[Hold]:
    """The places a booking takes, in order: the NGO's quota, the contact address's, the
    client address's (none for staff)."""
    holds = [
        Hold(quota_id(meetup_id, org_quota_key), org_limit, quota_full(org_limit)),
        Hold(
            address_hold_id(meetup_id, contact_key),
            address_limit,
            too_many_bookings_for_address(address_limit),
        ),
    ]
    if client_hold is not None:
        holds.append(Hold(client_hold, client_limit, too_many_bookings_from_client(client_limit)))
    return holds


def quota_full(limit: int) -> Conflict:
    return Conflict(
        f"the organization already has {limit} consultations booked at this meetup",
        field="organization_id",
        limit=limit,
    )


def new_booking(
    consultation_id: str,
    organization: dict[str, Any],
    org_key: str,
    data: BookingIn,
    now: datetime,
    *,
    quotas: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "consultation_id": consultation_id,
        "status": "booked",
        **organization,
        "org_key": org_key,
        "contact": {**data.contact.model_dump(), "person_key": person_key(data.contact.email)},
        "question": data.question,
        "booked_at": now,
        "quotas": quotas or [],
    }


def booked_quota_ids(slot: dict[str, Any], booking: dict[str, Any]) -> list[str]:
    """The quota places a booking holds (a consultation given without a meetup holds none;
    a booking from before the per-address and per-client holds holds its NGO's only)."""
    if not slot.get("meetup_id"):
        return []
    return booking.get("quotas") or [quota_id(slot["meetup_id"], booking["org_key"])]


def active_booking(slot: dict[str, Any], consultation_id: str) -> dict[str, Any] | None:
    """The slot's booking if it is this consultation (not cancelled)."""
    booking = slot.get("booking")
    if booking is None or booking["consultation_id"] != consultation_id:
        return None
    return booking


def require_booked(booking: dict[str, Any]) -> None:
    if booking["status"] != "booked":
        raise Conflict(f"the consultation is {booking['status']}", field="consultation_id")


def cancelled_booking(booking: dict[str, Any], by: str, now: datetime) -> dict[str, Any]:
    return {**booking, "status": "cancelled", "cancelled_at": now, "cancelled_by": by}


def outcome_fields(
    status: Outcome, data: OutcomeIn, given_on: date, now: datetime
) -> dict[str, Any]:
    return {
        "booking.status": status,
        "booking.outcome": data.outcome,
        "booking.given_on": given_on.isoformat(),
        "booking.finished_at": now,
    }


def check_given_on(given_on: date, today: date) -> None:
    if given_on > today:
        raise InvalidInput("a consultation given in the future?", field="given_on")


def given_slot_id(key: str | None, fresh_id: str) -> str:
    """A consultation recorded afterwards with the caller's ``key`` has a stable id."""
    return f"given:{key}" if key else fresh_id


def given_slot(
    slot_id: str,
    consultation_id: str,
    data: GivenIn,
    specialist: dict[str, Any],
    meetup: dict[str, Any] | None,
    organization: dict[str, Any],
    starts: datetime,
    now: datetime,
) -> dict[str, Any]:
    booking = {
        "consultation_id": consultation_id,
        "status": "completed",
        **organization,
        "org_key": organization_key(
            organization["organization_id"], organization["organization_name"]
        ),
        "contact": None,
        "outcome": data.outcome,
        "given_on": data.given_on.isoformat(),
        "recorded_after_the_fact": True,
        "booked_at": now,
    }
    return {
        "_id": slot_id,
        "meetup_id": meetup["_id"] if meetup else None,
        "specialist": specialist,
        "starts_at": starts,
        "duration_minutes": data.duration_minutes,
        "booking": booking,
        "past_bookings": [],
        "created_at": now,
    }


# -- events -------------------------------------------------------------------------------


def specialist_model(s: dict[str, Any]) -> Specialist:
    return Specialist(
        specialist_id=s["_id"],
        name=s["name"],
        specialty=s["specialty"],
        body=s.get("body"),
        email=s.get("email"),
    )


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


def _about(slot: dict[str, Any], booking: dict[str, Any]) -> dict[str, Any]:
    return {
        "consultation_id": booking["consultation_id"],
        "slot_id": slot["_id"],
        "meetup_id": slot.get("meetup_id"),
        "specialist": specialist_model(slot["specialist"]),
        "starts_at": slot["starts_at"],
        "duration_minutes": slot["duration_minutes"],
        "organization_id": booking.get("organization_id"),
        "organization_name": booking.get("organization_name"),
    }


def booked_event(slot: dict[str, Any], booking: dict[str, Any]) -> ConsultationBooked:
    return ConsultationBooked(
        **_about(slot, booking), contact=contact_model(booking), question=booking["question"]
    )


def cancelled_event(
    slot: dict[str, Any], booking: dict[str, Any], by: str
) -> ConsultationCancelled:
    return ConsultationCancelled(
        **_about(slot, booking), contact=contact_model(booking), cancelled_by=by
    )


def completed_event(
    slot: dict[str, Any], booking: dict[str, Any], given_on: date, *, after_the_fact: bool = False
) -> ConsultationCompleted:
    return ConsultationCompleted(
        **_about(slot, booking), given_on=given_on, recorded_after_the_fact=after_the_fact
    )


# -- views --------------------------------------------------------------------------------


def specialist_public(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "specialist_id": s["_id"],
        "name": s["name"],
        "specialty": s["specialty"],
        "body": s.get("body"),
    }


def slot_public(slot: dict[str, Any]) -> dict[str, Any]:
    return {
        "slot_id": slot["_id"],
        "meetup_id": slot.get("meetup_id"),
        "specialist": specialist_public(slot["specialist"]),
        "starts_at": slot["starts_at"],
        "duration_minutes": slot["duration_minutes"],
        "booked": slot.get("booking") is not None,
    }


def booked_view(slot: dict[str, Any]) -> dict[str, Any]:
    """The answer to a booking: what happens next; the cancel link is mailed only."""
    booking = slot["booking"]
    return {
        "consultation_id": booking["consultation_id"],
        "slot": slot_public(slot),
        "status": "booked",
        "message": (
            "Письмо с подтверждением и ссылкой для отмены отправлено на адрес "
            f"{booking['contact']['email']}."
        ),
    }


def slot_staff(slot: dict[str, Any]) -> dict[str, Any]:
    view = slot_public(slot)
    view["booking"] = slot.get("booking")
    view["past_bookings"] = slot.get("past_bookings", [])
    return view
