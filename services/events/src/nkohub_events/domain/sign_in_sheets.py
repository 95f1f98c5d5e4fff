"""Sign-in sheets (issue 7): the rows of a list of who came to a meetup — name, role,
organization, optional contact (e-mail) — as attendees (``api.sheets`` reads the file).

People are matched to the meetup's registrations by e-mail, else by name; organizations
to the registry's read model by ОГРН or name. A person without an e-mail gets a
pseudonymous key from name + organization, so the same sheet imported twice records
nothing new (one attendance per person per meetup).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from nkohub_events.domain.attendance import Attendee
from nkohub_events.domain.common import NAME_MAX, ROLE_LABELS, TEXT_MAX, normalise
from nkohub_events.domain.erasure import ERASED
from nkohub_events.domain.registrations import email_key
from nkohub_shared.privacy import person_key
from nkohub_shared.text import normalise_email, one_line

ROLE_BY_LABEL = {normalise(v): k for k, v in ROLE_LABELS.items()} | {
    "нко": "ngo_representative",
    "омс": "official",
    "администрация": "official",
    "сми": "media",
}


def role_of(value: str) -> str | None:
    v = normalise(value)
    if not v:
        return "other"
    if v in ROLE_LABELS:
        return v
    return ROLE_BY_LABEL.get(v)


def anonymous_key(name: str, organization: str) -> str:
    raw = f"sheet:{normalise(name)}|{normalise(organization)}"
    return hashlib.sha256(raw.encode()).hexdigest()


CELL_MAX = {"name": NAME_MAX, "organization": TEXT_MAX, "role": 100, "contact": 254}


def _too_long(row: dict[str, str]) -> str | None:
    """The first cell over its length (checked before anything reads it), if any."""
    for column, limit in CELL_MAX.items():
        if len(row.get(column, "")) > limit:
            return column
    return None


@dataclass(frozen=True)
class SheetEntry:
    attendee: Attendee
    registration: dict[str, Any] | None


def entries(
    rows: list[dict[str, str]],
    registrations: list[dict[str, Any]],
    organizations: list[dict[str, Any]],
) -> tuple[list[SheetEntry], list[dict[str, Any]]]:
    """The attendees of the sheet's rows and the rows' errors (``row`` counts the header
    as row 1, as a spreadsheet does)."""
    registrations = [r for r in registrations if not r.get("erased")]
    by_email = {r["email_key"]: r for r in registrations}
    by_name = {normalise(r["name"]): r for r in registrations}
    org_by_name = {}
    for o in organizations:
        for n in (o.get("full_name"), o.get("short_name")):
            if n:
                org_by_name[normalise(n)] = o
    org_by_ogrn = {o.get("ogrn"): o for o in organizations}
    found, errors = [], []
    for number, row in enumerate(rows, start=2):
        too_long = _too_long(row)
        if too_long:
            errors.append({"row": number, "field": too_long, "message": "too long"})
            continue
        name = one_line(row.get("name", ""))
        if not name:
            errors.append({"row": number, "field": "name", "message": "no name"})
            continue
        role = role_of(row.get("role", ""))
        if role is None:
            errors.append(
                {"row": number, "field": "role", "message": f"unknown role {row['role']!r}"}
            )
            continue
        contact = row.get("contact", "")
        if contact:
            try:
                contact = normalise_email(contact)
            except ValueError:
                errors.append(
                    {"row": number, "field": "contact", "message": "not an e-mail address"}
                )
                continue
        registration = by_email.get(email_key(contact)) if contact else None
        registration = registration or by_name.get(normalise(name))
        org_text = one_line(row.get("organization", ""))
        org = org_by_ogrn.get(org_text) or org_by_name.get(normalise(org_text))
        if registration is not None:
            attendee = Attendee(
                person_key=registration["person_key"],
                role=registration["role"] if not row.get("role") else role,
                name=name,
                organization_id=registration.get("organization_id")
                or (org["_id"] if org else None),
                organization_name=registration.get("organization_name") or org_text or None,
                registration_id=registration["_id"],
            )
        else:
            attendee = Attendee(
                person_key=person_key(contact) if contact else anonymous_key(name, org_text),
                role=role,
                name=name,
                organization_id=org["_id"] if org else None,
                organization_name=(
                    (org.get("short_name") or org["full_name"]) if org else (org_text or None)
                ),
                registration_id=None,
            )
        found.append(SheetEntry(attendee, registration))
    return found, errors


def without_erased(found: list[SheetEntry], erased: set[str]) -> list[SheetEntry]:
    """The entries of erased people keep their attendance (the figures) but not their name:
    a sheet imported again after an erasure brings no name back."""
    return [
        replace(e, attendee=replace(e.attendee, name=ERASED))
        if e.attendee.person_key in erased
        else e
        for e in found
    ]
