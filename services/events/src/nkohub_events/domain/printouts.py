"""What goes on the meetup's printed papers: the sign-in sheet (the consent text, one line
per person expected, blank lines for walk-ins) and the name badges. The layout is
``printouts.pdf``'s; these rules decide who is on them and in which order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nkohub_events.domain.common import DEFAULT_TZ, ROLE_LABELS, normalise
from nkohub_events.domain.consent import CONSENT_TEXT
from nkohub_events.domain.erasure import ERASED
from nkohub_shared.russian import date_ru

WALK_IN_LINES = 15  # blank lines at the end of a sign-in sheet unless asked otherwise
MAX_WALK_IN_LINES = 200


@dataclass(frozen=True)
class Person:
    """One person expected at the door, as the papers show them."""

    name: str
    organization: str
    role: str  # the Russian label
    short_code: str
    checked_in: bool


@dataclass(frozen=True)
class Heading:
    title: str
    when: str  # «28 марта 2030, 15:00»
    place: str
    consent: str


def expected(registrations: list[dict[str, Any]]) -> list[Person]:
    """The confirmed registrations (erased people left out), by name as a Russian reader
    sorts it (case and ё/е aside)."""
    people = [
        Person(
            name=r["name"],
            organization=r.get("organization_name") or "",
            role=ROLE_LABELS.get(r.get("role") or "", r.get("role") or ""),
            short_code=r.get("short_code") or "",
            checked_in=bool(r.get("checked_in_at")),
        )
        for r in registrations
        if r["status"] == "confirmed" and not r.get("erased") and r.get("name") != ERASED
    ]
    return sorted(people, key=lambda p: (normalise(p.name), p.name))


def heading(m: dict[str, Any], consent_version: str) -> Heading:
    venue = m.get("venue") or {}
    place = ", ".join(part for part in (venue.get("name"), venue.get("address")) if part)
    return Heading(
        title=m["title"],
        when=date_ru(m["starts_at"], m.get("timezone") or DEFAULT_TZ, with_time=True),
        place=place,
        consent=CONSENT_TEXT[consent_version],
    )
