"""Registrations: who comes to a meetup, with consent, and where they stand.

Statuses: ``pending`` (written, seat not yet settled) → ``confirmed`` | ``waitlisted``;
``waitlisted`` → ``confirmed`` (promoted); ``confirmed`` | ``waitlisted`` → ``cancelled``.
After a meetup completes, confirmed registrations never checked in are ``no_show``.

Seats are kept in a ledger inside the meetup document (``confirmed``, ``seats``,
``waitlist``; see ``service.registrations``). The decisions here read a ledger; the
conditional writes that change it are the repository's.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts.common import Participant
from nkohub_contracts.events import (
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_events.domain import audit
from nkohub_events.domain.common import Name, Ogrn, Phone, Role, normalise
from nkohub_events.domain.meetups import registration_window_error, seat_limit, snapshot
from nkohub_shared.errors import Conflict, Forbidden, InvalidInput
from nkohub_shared.privacy import normalise_email, person_key
from nkohub_shared.text import Email


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email | None = Field(
        default=None, description="required, except for a walk-in (staff, ``checked_in``)"
    )
    phone: Phone | None = None
    role: Role
    organization_id: str | None = Field(default=None, max_length=100)
    organization_ogrn: Ogrn | None = None
    organization_name: Name | None = None
    consent_personal_data: bool = False
    consent_text_version: str | None = Field(default=None, max_length=50)
    mailing_consent: bool = False
    checked_in: bool = Field(
        default=False,
        description="staff only: a walk-in at the door, registered and checked in at once",
    )


def require_registrant(data: RegistrationIn) -> str:
    """A registration ahead of the meetup has an address (the mail with the door code goes
    there); checking in at once is the staff's walk-in. Returns the address."""
    if data.checked_in:
        raise Forbidden("only staff at the door check people in", field="checked_in")
    if data.email is None:
        raise InvalidInput("an e-mail address is required", field="email")
    return data.email


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: str | None = Field(default=None, max_length=100)
    short_code: str | None = Field(default=None, max_length=20)


def short_code(registration_id: str) -> str:
    """Six characters to read out at the door, derived from the id (base32, no 0/1/8/9)."""
    digest = hashlib.sha256(registration_id.encode()).digest()
    return base64.b32encode(digest).decode()[:6]


def email_key(email: str) -> str:
    """One registration per address and meetup, whatever its case and spaces."""
    return normalise_email(email)


def consented_version(data: RegistrationIn, current: str) -> str:
    """The consent text version the person agreed to; it must be the one shown now."""
    if not data.consent_personal_data:
        raise InvalidInput(
            "consent to the processing of personal data is required",
            field="consent_personal_data",
        )
    version = data.consent_text_version or current
    if version != current:
        raise InvalidInput(
            f"the consent text changed (now version {current}); reload the form",
            field="consent_text_version",
        )
    return version


def _person_fields(
    data: RegistrationIn, organization: dict[str, Any], version: str, now: datetime
) -> dict[str, Any]:
    return {
        "name": data.name,
        "phone": data.phone,
        "role": data.role,
        **organization,
        "consent_text_version": version,
        "consented_at": now,
        "mailing_consent": data.mailing_consent,
        "created_at": now,
        "no_show": False,
    }


def new_registration(
    registration_id: str,
    meetup_id: str,
    data: RegistrationIn,
    organization: dict[str, Any],
    version: str,
    now: datetime,
    *,
    hold: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """A ``pending`` registration, before its seat is settled; ``hold``: the place it
    takes in its client address's hold at the meetup (none when staff registered it);
    ``actor``: the staff member who registered the person (then in its history)."""
    email = require_registrant(data)
    search = f"{data.name} {email} {organization.get('organization_name') or ''}"
    doc = {
        "_id": registration_id,
        "meetup_id": meetup_id,
        "status": "pending",
        "email": email,
        "email_key": email_key(email),
        "person_key": person_key(email),
        **_person_fields(data, organization, version, now),
        "search": normalise(search),
        "short_code": short_code(registration_id),
        "checked_in_at": None,
        "client_hold": hold,
    }
    if actor is not None:
        doc[audit.HISTORY_FIELD] = [audit.entry(actor, "registered", now)]
    return doc


def comeback(
    data: RegistrationIn,
    organization: dict[str, Any],
    version: str,
    now: datetime,
    *,
    hold: str | None = None,
) -> dict[str, Any]:
    """Who cancelled and registers again keeps their record, afresh and ``pending``."""
    return {
        "status": "pending",
        **_person_fields(data, organization, version, now),
        "cancelled_at": None,
        "cancelled_by": None,
        "client_hold": hold,
    }


# -- the seat ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where the ledger put a registration; ``position`` is its place in the waitlist,
    ``number`` the waitlist number that orders it (stored as ``waitlist_position``)."""

    status: Literal["confirmed", "waitlisted"]
    position: int | None = None
    number: int | None = None


def has_free_seat(m: dict[str, Any]) -> bool:
    """A seat is free for a newcomer only when nobody waits for it (FIFO)."""
    return m["confirmed"] < seat_limit(m) and m.get("waiting", 0) <= 0


def refusal(m: dict[str, Any], now: datetime) -> Conflict | None:
    """Why a registration that found no place in the ledger cannot have one (the meetup
    takes nobody, or is full with no waitlist); ``None``: try again, the ledger moved."""
    if m["status"] != "scheduled":
        problem = registration_window_error(m, now) or "the meetup takes no registrations"
        return Conflict(problem, field="meetup_id")
    if not has_free_seat(m) and not m.get("waitlist_enabled", True):
        return Conflict("the meetup is full and has no waitlist", field="meetup_id", reason="full")
    return None


def seat_for_waitlist(m: dict[str, Any]) -> bool:
    """Whether the ledger has a free seat for the waitlist's head now."""
    return m["status"] == "scheduled" and m["confirmed"] < seat_limit(m) and m.get("waiting", 0) > 0


def left_meanwhile(r: dict[str, Any]) -> bool:
    """A registration given a seat after it was cancelled: the seat goes back."""
    return r["status"] == "cancelled"


# -- status changes and their events ------------------------------------------------------

RegistrationEvent = (
    RegistrationConfirmed | RegistrationWaitlisted | RegistrationPromoted | RegistrationCancelled
)


def participant(r: dict[str, Any]) -> Participant:
    return Participant(
        person_key=r["person_key"],
        name=r["name"],
        email=r["email"],
        role=r["role"],
        organization_id=r.get("organization_id"),
        organization_name=r.get("organization_name"),
        mailing_consent=r.get("mailing_consent", False),
    )


def _about(r: dict[str, Any], m: dict[str, Any], public_base_url: str) -> dict[str, Any]:
    return {
        "registration_id": r["_id"],
        "meetup": snapshot(m, public_base_url),
        "participant": participant(r),
        "short_code": r.get("short_code"),
    }


def settled(
    r: dict[str, Any], m: dict[str, Any], place: Place, now: datetime, public_base_url: str
) -> tuple[dict[str, Any], RegistrationEvent]:
    """A pending registration's status once its place is taken, and the event telling it."""
    about = _about(r, m, public_base_url)
    if place.status == "confirmed":
        return {"status": "confirmed", "confirmed_at": now}, RegistrationConfirmed(**about)
    fields: dict[str, Any] = {"status": "waitlisted", "waitlisted_at": now}
    if place.number is not None:
        fields["waitlist_position"] = place.number
    return fields, RegistrationWaitlisted(**about, position=place.position or 1)


def promoted(
    r: dict[str, Any], m: dict[str, Any], now: datetime, public_base_url: str
) -> tuple[dict[str, Any], RegistrationEvent] | None:
    """A registration moved from the waitlist to a seat; ``None`` if it was confirmed
    already. A pending one was seated before it ever heard it waited: it is confirmed."""
    if r["status"] == "confirmed":
        return None
    about = _about(r, m, public_base_url)
    if r["status"] == "pending":
        return {"status": "confirmed", "confirmed_at": now}, RegistrationConfirmed(**about)
    fields = {"status": "confirmed", "confirmed_at": now, "promoted_at": now}
    return fields, RegistrationPromoted(**about)


def cancelled(
    r: dict[str, Any], m: dict[str, Any], by: str, now: datetime, public_base_url: str
) -> tuple[dict[str, Any], RegistrationCancelled | None]:
    """The fields of a cancelled registration and its event (none for a walk-in who left
    no address: nobody to tell)."""
    if m["status"] in ("completed", "cancelled"):
        raise Conflict(
            f"the meetup is {m['status']}: its registrations cannot change",
            field="registration_id",
        )
    if not r.get("email"):
        return {"status": "cancelled", "cancelled_at": now, "cancelled_by": by}, None
    event = RegistrationCancelled(
        registration_id=r["_id"],
        meetup=snapshot(m, public_base_url),
        participant=participant(r),
        cancelled_by=by,
        previous_status=r["status"],
    )
    return {"status": "cancelled", "cancelled_at": now, "cancelled_by": by}, event


def require_check_in_open(m: dict[str, Any]) -> None:
    if m["status"] == "cancelled":
        raise Conflict("the meetup was cancelled", field="meetup_id")


def first_check_in(r: dict[str, Any]) -> bool:
    """Whether this check-in is the first; only a confirmed registration checks in."""
    if r["status"] != "confirmed":
        raise Conflict(f"the registration is {r['status']}", field="status")
    return not r.get("checked_in_at")


# -- views --------------------------------------------------------------------------------

STAFF_FIELDS = (
    "meetup_id",
    "status",
    "name",
    "email",
    "phone",
    "role",
    "organization_id",
    "organization_ogrn",
    "organization_name",
    "consent_text_version",
    "consented_at",
    "mailing_consent",
    "short_code",
    "created_at",
    "confirmed_at",
    "promoted_at",
    "cancelled_at",
    "cancelled_by",
    "checked_in_at",
    "no_show",
    "walk_in",
)


def registered_view(r: dict[str, Any]) -> dict[str, Any]:
    """What the answer to a new registration adds: what happens next, not the secrets."""
    return {
        "already_registered": False,
        "message": (
            f"Письмо с подтверждением, кодом для входа и ссылкой для отмены отправлено "
            f"на адрес {r['email']}."
        ),
    }


def already_registered_view(r: dict[str, Any]) -> dict[str, Any]:
    """The answer when the address is registered already: no status, no place in line
    (that is the address owner's business), only that the mail went there."""
    return {
        "registration_id": r["_id"],
        "meetup_id": r["meetup_id"],
        "already_registered": True,
        "message": (
            "Этот адрес уже зарегистрирован на встречу; подтверждение и ссылка для отмены "
            "были отправлены на него."
        ),
    }


def client_of(r: dict[str, Any]) -> str | None:
    """Which client address registered it, as a short pseudonym: staff see registrations
    made from one address together (``None``: staff registered it)."""
    hold = r.get("client_hold")
    return hold.rsplit(":", 1)[-1][:12] if hold else None


def staff_view(r: dict[str, Any], position: int | None = None) -> dict[str, Any]:
    view = {"registration_id": r["_id"], **{k: r.get(k) for k in STAFF_FIELDS}}
    view["position"] = position
    view["client"] = client_of(r)
    view["walk_in"] = bool(r.get("walk_in"))
    view["history"] = audit.history_of(r)
    return view
