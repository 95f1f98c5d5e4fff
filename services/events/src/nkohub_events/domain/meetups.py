"""Meetups: what staff plan and publish, their rules and their life cycle.

Times are stored in UTC and shown in the venue's time zone (Europe/Samara for Glazov);
naive times in requests are read as the venue's local time.

Life cycle: ``draft`` → ``scheduled`` (published) → ``completed``, or ``cancelled`` (from
draft or scheduled). Only a scheduled meetup inside its registration window takes
registrations. A meetup whose start is already past when staff enter it is
``recorded_after_the_fact`` (issue 7: recording meetups that already took place).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts.common import MeetupSnapshot, ProgramItem, Venue
from nkohub_contracts.events import (
    MeetupCancelled,
    MeetupCompleted,
    MeetupFigures,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_events.domain import audit
from nkohub_events.domain.common import DEFAULT_TZ, LongText, Name, Text, as_utc, check_timezone
from nkohub_events.domain.speakers import with_email_key
from nkohub_shared.errors import Conflict, InvalidInput
from nkohub_shared.text import Email, make_slug

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

STATUSES: tuple[Status, ...] = ("draft", "scheduled", "completed", "cancelled")
PUBLISHED: tuple[Status, ...] = ("scheduled", "completed", "cancelled")  # drafts are staff's

MAX_DURATION = timedelta(days=14)
PROGRAM_LEAD = timedelta(hours=12)  # a program item may start this long before the meetup
SLUG_MAX = 60
SLUG_ATTEMPTS = 5


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
    speaker_name: Name | None = None
    speaker_person_key: str | None = Field(default=None, max_length=100)
    speaker_email: Email | None = None  # staff only: the day-before reminder
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


class CancelIn(_In):
    reason: str | None = Field(default=None, max_length=1000)


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
        program.append(with_email_key(item))
    out["program"] = program
    check_meetup(out)
    return out


def check_meetup(m: dict[str, Any]) -> None:
    if m["ends_at"] <= m["starts_at"]:
        raise InvalidInput("the meetup must end after it starts", field="ends_at")
    if m["ends_at"] - m["starts_at"] > MAX_DURATION:
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
        if at is not None and not (m["starts_at"] - PROGRAM_LEAD <= at <= m["ends_at"]):
            raise InvalidInput(
                f"program item {item['position']} starts outside the meetup",
                field=f"program.{item['position'] - 1}.starts_at",
            )


def seat_limit(m: dict[str, Any]) -> int:
    """Seats open to registration: capacity minus the seats reserved for officials etc."""
    return m["capacity"] - m.get("reserved_seats", 0)


# -- a new meetup -------------------------------------------------------------------------


def new_meetup(
    meetup_id: str,
    fields: dict[str, Any],
    *,
    staff: str,
    now: datetime,
    action: str = "created",
) -> dict[str, Any]:
    """The document of a new draft (without its slug), with an empty seat ledger and its
    history's first entry (``created``, or ``copied`` for a copy)."""
    data = normalise_meetup(fields)
    data.pop("slug", None)
    if data.get("consultations_per_organization") is None:
        data.pop("consultations_per_organization", None)
    return {
        "_id": meetup_id,
        **data,
        "status": "draft",
        "sequence": 0,
        "recorded_after_the_fact": data["starts_at"] < now,
        "confirmed": 0,
        "waiting": 0,
        "next_place": 0,
        "ledger_version": 0,
        "created_at": now,
        "updated_at": now,
        "created_by": staff,
        audit.HISTORY_FIELD: [audit.entry(staff, action, now)],
    }


def slug_of(title: str, starts_at: datetime) -> str:
    """``<latin title>-<date>``: «Гранты для НКО» on 28.03.2030 → ``granty-dlia-nko-2030-03-28``."""
    return f"{make_slug(title, fallback='meetup', max_length=SLUG_MAX)}-{starts_at:%Y-%m-%d}"


def slug_candidates(base: str) -> Iterator[str]:
    """The slug, then a few variants with a random suffix for when it is taken."""
    yield base
    for _ in range(SLUG_ATTEMPTS - 1):
        yield f"{base}-{secrets.token_hex(2)}"


# -- changes ------------------------------------------------------------------------------


def require_status(m: dict[str, Any], *allowed: str, action: str) -> None:
    if m["status"] not in allowed:
        raise Conflict(
            f"a {m['status']} meetup cannot be {action}", field="status", status=m["status"]
        )


def changes_of(before: dict[str, Any], patch: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The fields ``patch`` changes (empty when none) and the seat limit after it.
    Raises when the patch breaks a rule or would unseat confirmed participants."""
    for key, value in patch.items():
        if value is None and key not in NULLABLE:
            raise InvalidInput(f"{key} cannot be null", field=key)
    require_status(before, "draft", "scheduled", action="changed")
    editable = {k: before.get(k) for k in MeetupIn.model_fields if k in before}
    merged = normalise_meetup({**editable, **patch})
    changes = {k: v for k, v in merged.items() if before.get(k) != v}
    if "slug" in patch and patch["slug"] is None:
        changes.pop("slug", None)
    limit = seat_limit(merged)
    if changes and limit < before.get("confirmed", 0):
        raise Conflict(
            f"{before['confirmed']} seats are confirmed: capacity minus reserved seats "
            "cannot go below that",
            field="capacity",
        )
    return changes, limit


def may_move(m: dict[str, Any], to: Status, now: datetime) -> bool:
    """Whether the meetup moves to status ``to`` now; ``False`` when it is there already
    (repeating a transition is harmless). Raises Conflict when it may not."""
    if m["status"] == to:
        return False
    if to == "scheduled":
        require_status(m, "draft", action="published")
        if m.get("recorded_after_the_fact") or m["starts_at"] <= now:
            raise Conflict(
                "a meetup in the past cannot be published; complete it instead", field="starts_at"
            )
    elif to == "cancelled":
        require_status(m, "draft", "scheduled", action="cancelled")
    elif to == "completed":
        require_status(m, "scheduled", "draft", action="completed")
        if m["starts_at"] > now:
            raise Conflict("the meetup has not started yet", field="starts_at")
        if m["status"] == "draft" and not m.get("recorded_after_the_fact"):
            raise Conflict("a draft meetup cannot be completed", field="status")
    else:
        raise Conflict(f"a meetup cannot become {to}", field="status", status=m["status"])
    return True


def moved(
    before: dict[str, Any], to: Status, extra: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meetup after a transition and the fields to set. The sequence (of calendar
    entries) grows once the meetup was public, i.e. not from a draft."""
    sequence = before["sequence"] + (0 if before["status"] == "draft" else 1)
    fields = {**extra, "status": to, "sequence": sequence, "updated_at": now}
    return {**before, **fields}, fields


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


# -- events -------------------------------------------------------------------------------


def meetup_path(meetup_id: str) -> str:
    return f"/meetups/{meetup_id}"


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
        public_url=f"{public_base_url.rstrip('/')}{meetup_path(m['_id'])}",
        sequence=m.get("sequence", 0),
    )


def updated_event(
    before: dict[str, Any],
    after: dict[str, Any],
    changed: list[str],
    public_base_url: str,
    *,
    actor: str | None = None,
) -> MeetupUpdated | None:
    """What changed, for those who heard of the meetup (nobody outside heard of a draft)."""
    if before["status"] != "scheduled":
        return None
    return MeetupUpdated(
        meetup=snapshot(after, public_base_url), changed=sorted(changed), actor=actor
    )


def cancelled_event(
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None,
    public_base_url: str,
    *,
    actor: str | None = None,
) -> MeetupCancelled | None:
    if before["status"] != "scheduled":
        return None
    return MeetupCancelled(meetup=snapshot(after, public_base_url), reason=reason, actor=actor)


def completed_event(
    before: dict[str, Any],
    after: dict[str, Any],
    figures: MeetupFigures,
    organization_ids: list[str],
    public_base_url: str,
    *,
    actor: str | None = None,
) -> MeetupCompleted:
    return MeetupCompleted(
        meetup=snapshot(after, public_base_url),
        figures=figures,
        organization_ids=organization_ids,
        recorded_after_the_fact=bool(before.get("recorded_after_the_fact")),
        actor=actor,
    )


def scheduled_event(
    after: dict[str, Any], public_base_url: str, *, actor: str | None = None
) -> MeetupScheduled:
    return MeetupScheduled(meetup=snapshot(after, public_base_url), actor=actor)


# -- views --------------------------------------------------------------------------------

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


def seats_free(m: dict[str, Any]) -> int:
    return max(0, seat_limit(m) - m.get("confirmed", 0))


# What links a speaker to a person (the registry's key; the contact address and its key).
STAFF_ONLY_PROGRAM_FIELDS = ("speaker_person_key", "speaker_email", "speaker_email_key")


def public_program(program: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Program items without what links a speaker to a person or reaches them (staff only)."""
    return [
        {k: v for k, v in item.items() if k not in STAFF_ONLY_PROGRAM_FIELDS}
        for item in program or []
    ]


def public_view(m: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What anyone may see of a meetup: no personal data, seat figures only."""
    view = {"meetup_id": m["_id"], **{k: m.get(k) for k in PUBLIC_FIELDS}}
    view["program"] = public_program(m.get("program"))
    view["seats_available"] = seat_limit(m)
    view["seats_taken"] = m.get("confirmed", 0)
    view["seats_free"] = seats_free(m)
    view["waitlist_length"] = max(0, m.get("waiting", 0))
    view["registration_open"] = registration_window_error(m, now) is None
    return view


def staff_view(m: dict[str, Any], now: datetime) -> dict[str, Any]:
    view = public_view(m, now)
    view["program"] = [
        {k: v for k, v in item.items() if k != "speaker_email_key"}
        for item in m.get("program") or []
    ]
    view.update(
        consultations_per_organization=m.get("consultations_per_organization"),
        created_at=m.get("created_at"),
        updated_at=m.get("updated_at"),
        created_by=m.get("created_by"),
        copied_from=m.get("copied_from"),
        history=audit.history_of(m),
    )
    return view
