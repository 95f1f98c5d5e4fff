"""Meetups: what staff plan and publish, their rules and their life cycle.

Times are stored in UTC and shown in the venue's time zone (Europe/Samara for Glazov);
naive times in requests are read as the venue's local time.

Life cycle: ``draft`` → ``scheduled`` (published) → ``completed``, or ``cancelled`` (from
draft or scheduled). Only a scheduled meetup inside its registration window takes
registrations. A meetup whose start is already past when staff enter it is
``recorded_after_the_fact`` (issue 7: recording meetups that already took place).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nkohub_events.domain.common import (
    DEFAULT_TZ,
    LongText,
    Text,
    as_utc,
    check_timezone,
)
from nkohub_shared.contracts.common import MeetupSnapshot, ProgramItem, Venue
from nkohub_shared.errors import Conflict, InvalidInput

MeetupKind = Literal["meetup", "unscheduled_meeting", "consultation_day"]
ProgramKind = Literal["talk", "ngo_presentation", "consultation_block", "qa_session", "networking"]
Status = Literal["draft", "scheduled", "completed", "cancelled"]

KIND_LABELS = {
    "meetup": "митап",
    "unscheduled_meeting": "внеплановая встреча",
    "consultation_day": "день консультаций",
}
PROGRAM_LABELS = {
    "talk": "выступление",
    "ngo_presentation": "презентация НКО",
    "consultation_block": "консультации",
    "qa_session": "вопросы и ответы",
    "networking": "общение",
}
STATUS_LABELS = {
    "draft": "черновик",
    "scheduled": "запланирована",
    "completed": "состоялась",
    "cancelled": "отменена",
}

# Fields whose change a subscriber must hear about (a new invitation, a new calendar entry).
NOTEWORTHY = ("title", "starts_at", "ends_at", "venue", "timezone", "description", "program")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VenueIn(_In):
    name: Text
    address: Text | None = None
    hall_capacity: int | None = Field(default=None, gt=0, le=100_000)


class ProgramItemIn(_In):
    kind: ProgramKind
    title: Text
    starts_at: datetime | None = None
    speaker_name: Text | None = None
    speaker_person_key: str | None = Field(default=None, max_length=100)
    organization_id: str | None = Field(default=None, max_length=100)


class MeetupIn(_In):
    title: Text
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9\-]{0,79}$")
    kind: MeetupKind = "meetup"
    description: LongText = ""
    starts_at: datetime
    ends_at: datetime
    timezone: str = DEFAULT_TZ
    venue: VenueIn
    capacity: int = Field(gt=0, le=100_000)
    reserved_seats: int = Field(default=0, ge=0)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    waitlist_enabled: bool = True
    organizer_ids: list[str] = Field(default_factory=list, max_length=50)
    partner_ids: list[str] = Field(default_factory=list, max_length=50)
    topics: list[Text] = Field(default_factory=list, max_length=50)
    program: list[ProgramItemIn] = Field(default_factory=list, max_length=100)
    consultations_per_organization: int | None = Field(default=None, ge=1, le=50)


class MeetupPatch(_In):
    """Every field optional; ``null`` for an optional field clears it."""

    title: Text | None = None
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9\-]{0,79}$")
    kind: MeetupKind | None = None
    description: LongText | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    venue: VenueIn | None = None
    capacity: int | None = Field(default=None, gt=0, le=100_000)
    reserved_seats: int | None = Field(default=None, ge=0)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    waitlist_enabled: bool | None = None
    organizer_ids: list[str] | None = None
    partner_ids: list[str] | None = None
    topics: list[Text] | None = None
    program: list[ProgramItemIn] | None = None
    consultations_per_organization: int | None = Field(default=None, ge=1, le=50)


NULLABLE = {"registration_opens_at", "registration_closes_at", "consultations_per_organization"}


def normalise_meetup(fields: dict[str, Any]) -> dict[str, Any]:
    """Times to UTC, program positions; checks the rules across fields (raises InvalidInput)."""
    out = dict(fields)
    tz = check_timezone(out.get("timezone") or DEFAULT_TZ)
    out["timezone"] = tz
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if out.get(name) is not None:
            out[name] = as_utc(out[name], tz)
    program = []
    for i, item in enumerate(out.get("program") or [], start=1):
        item = dict(item)
        item["position"] = i
        if item.get("starts_at") is not None:
            item["starts_at"] = as_utc(item["starts_at"], tz)
        program.append(item)
    out["program"] = program
    check_meetup(out)
    return out


def check_meetup(m: dict[str, Any]) -> None:
    if m["ends_at"] <= m["starts_at"]:
        raise InvalidInput("the meetup must end after it starts", field="ends_at")
    if m["ends_at"] - m["starts_at"] > timedelta(days=14):
        raise InvalidInput("a meetup lasts at most 14 days", field="ends_at")
    if m["reserved_seats"] >= m["capacity"]:
        raise InvalidInput("reserved seats must be fewer than the capacity", field="reserved_seats")
    hall = (m.get("venue") or {}).get("hall_capacity")
    if hall is not None and m["capacity"] > hall:
        raise InvalidInput(
            f"capacity {m['capacity']} exceeds the hall's {hall} seats", field="capacity"
        )
    opens, closes = m.get("registration_opens_at"), m.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise InvalidInput("registration must close after it opens", field="registration_closes_at")
    if closes and closes > m["ends_at"]:
        raise InvalidInput(
            "registration cannot close after the meetup ends", field="registration_closes_at"
        )
    if opens and opens >= m["ends_at"]:
        raise InvalidInput(
            "registration must open before the meetup ends", field="registration_opens_at"
        )
    for item in m.get("program") or []:
        at = item.get("starts_at")
        if at is not None and not (m["starts_at"] - timedelta(hours=12) <= at <= m["ends_at"]):
            raise InvalidInput(
                f"program item {item['position']} starts outside the meetup",
                field=f"program.{item['position'] - 1}.starts_at",
            )


def seat_limit(m: dict[str, Any]) -> int:
    """Seats open to registration: capacity minus the seats reserved for officials etc."""
    return m["capacity"] - m.get("reserved_seats", 0)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in after.items() if before.get(k) != v)


def require_status(m: dict[str, Any], *allowed: str, action: str) -> None:
    if m["status"] not in allowed:
        raise Conflict(
            f"a {m['status']} meetup cannot be {action}", field="status", status=m["status"]
        )


def registration_window_error(m: dict[str, Any], now: datetime) -> str | None:
    """Why the meetup takes no registration now, or None."""
    if m["status"] != "scheduled":
        return f"the meetup is {m['status']}: it takes no registrations"
    opens = m.get("registration_opens_at")
    closes = m.get("registration_closes_at") or m["starts_at"]
    if opens and now < opens:
        return "registration has not opened yet"
    if now >= closes:
        return "registration is closed"
    return None


def snapshot(m: dict[str, Any], public_base_url: str) -> MeetupSnapshot:
    venue = m["venue"]
    return MeetupSnapshot(
        meetup_id=m["_id"],
        slug=m["slug"],
        title=m["title"],
        kind=m["kind"],
        description=m.get("description", ""),
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        timezone=m.get("timezone", DEFAULT_TZ),
        venue=Venue(name=venue["name"], address=venue.get("address")),
        capacity=seat_limit(m),
        registration_opens_at=m.get("registration_opens_at"),
        registration_closes_at=m.get("registration_closes_at"),
        organizer_ids=m.get("organizer_ids", []),
        topics=m.get("topics", []),
        program=[
            ProgramItem(
                position=p["position"],
                kind=p["kind"],
                title=p["title"],
                starts_at=p.get("starts_at"),
                speaker_name=p.get("speaker_name"),
                organization_id=p.get("organization_id"),
            )
            for p in m.get("program", [])
        ],
        public_url=f"{public_base_url.rstrip('/')}/meetups/{m['_id']}",
        sequence=m.get("sequence", 0),
    )


PUBLIC_FIELDS = (
    "slug",
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "capacity",
    "reserved_seats",
    "registration_opens_at",
    "registration_closes_at",
    "waitlist_enabled",
    "organizer_ids",
    "partner_ids",
    "topics",
    "program",
    "status",
    "sequence",
    "recorded_after_the_fact",
)


def public_view(m: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What anyone may see of a meetup: no personal data, seat figures only."""
    view = {"meetup_id": m["_id"], **{k: m.get(k) for k in PUBLIC_FIELDS}}
    limit = seat_limit(m)
    view["seats_available"] = limit
    view["seats_taken"] = m.get("confirmed", 0)
    view["seats_free"] = max(0, limit - m.get("confirmed", 0))
    view["waitlist_length"] = len(m.get("waitlist", []))
    view["registration_open"] = registration_window_error(m, now) is None
    return view


def staff_view(m: dict[str, Any], now: datetime) -> dict[str, Any]:
    view = public_view(m, now)
    view.update(
        consultations_per_organization=m.get("consultations_per_organization"),
        created_at=m.get("created_at"),
        updated_at=m.get("updated_at"),
        created_by=m.get("created_by"),
    )
    return view
