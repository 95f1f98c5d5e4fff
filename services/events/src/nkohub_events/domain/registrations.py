"""Registrations: who comes to a meetup, with consent, and where they stand.

Statuses: ``pending`` (written, seat not yet settled) → ``confirmed`` | ``waitlisted``;
``waitlisted`` → ``confirmed`` (promoted); ``confirmed`` | ``waitlisted`` → ``cancelled``.
After a meetup completes, confirmed registrations never checked in are ``no_show``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_events.domain.common import Email, Ogrn, Phone, Role, Text
from nkohub_shared.contracts.common import Participant
from nkohub_shared.privacy import normalise_email

REGISTRATION_PURPOSE = "registration"


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    email: Email
    phone: Phone | None = None
    role: Role
    organization_id: str | None = Field(default=None, max_length=100)
    organization_ogrn: Ogrn | None = None
    organization_name: Text | None = None
    consent_personal_data: bool = False
    consent_text_version: str | None = Field(default=None, max_length=50)
    mailing_consent: bool = False


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: str | None = Field(default=None, max_length=100)
    short_code: str | None = Field(default=None, max_length=20)


def short_code(registration_id: str) -> str:
    """Six characters to read out at the door, derived from the id (base32, no 0/1/8/9)."""
    digest = hashlib.sha256(registration_id.encode()).digest()
    return base64.b32encode(digest).decode()[:6]


def email_key(email: str) -> str:
    return normalise_email(email)


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
)

EXPORT_COLUMNS = (
    "registration_id",
    "status",
    "position",
    "name",
    "email",
    "phone",
    "role",
    "organization_id",
    "organization_ogrn",
    "organization_name",
    "mailing_consent",
    "consent_text_version",
    "short_code",
    "created_at",
    "checked_in_at",
    "no_show",
)


def staff_view(r: dict[str, Any], position: int | None = None) -> dict[str, Any]:
    view = {"registration_id": r["_id"], **{k: r.get(k) for k in STAFF_FIELDS}}
    view["position"] = position
    return view
