"""Figures of meetups computed from the records (attendances, program, consultations),
never stored as totals: for the completion event and the practice report.

An NGO counts once however people named it: chosen from the registry (its id), given by
ОГРН (matched to the id when registering) or typed by name. A typed name that is the full
or short name of an organization the registry told us about (compared normalised: case,
ё/е, spaces) counts as that organization; other typed names count by their normalised text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nkohub_contracts.events import MeetupFigures
from nkohub_events.domain.common import normalise

NAMED = "name:"  # the prefix of an NGO known by its typed name only


def organization_key(organization_id: str | None, name: str | None) -> str | None:
    """Registry id when known, else the normalised free-text name."""
    if organization_id:
        return organization_id
    if name and name.strip():
        return NAMED + normalise(name)
    return None


def known_names(organizations: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Normalised full and short names of the registry's organizations → their ids."""
    names: dict[str, str] = {}
    for o in organizations:
        for name in (o.get("full_name"), o.get("short_name")):
            if name and name.strip():
                names.setdefault(normalise(name), o["_id"])
    return names


def ngo_of(attendance: Mapping[str, Any], known: Mapping[str, str]) -> str | None:
    """The NGO an attendance counts for, or None. A registry organization (by id, or by a
    name the registry knows) always counts; a name the registry does not know counts only
    when an NGO representative gave it (an official's administration or a newspaper is
    not an NGO that took part)."""
    name = attendance.get("organization_name") or ""
    registered = attendance.get("organization_id") or known.get(normalise(name))
    if registered:
        return registered
    if attendance.get("role") == "ngo_representative":
        return organization_key(None, name)
    return None


def program_ngos(meetup: Mapping[str, Any]) -> set[str]:
    """Organizations presenting in the program take part too."""
    return {p["organization_id"] for p in meetup.get("program", []) if p.get("organization_id")}


def meetup_ngos(
    meetup: Mapping[str, Any], attendances: Iterable[Mapping[str, Any]], known: Mapping[str, str]
) -> set[str]:
    ngos = program_ngos(meetup)
    for a in attendances:
        key = ngo_of(a, known)
        if key:
            ngos.add(key)
    return ngos


def meetup_figures(
    meetup: Mapping[str, Any],
    attendances: list[Mapping[str, Any]],
    *,
    consultations: int,
    registrations_confirmed: int,
    no_shows: int,
    known: Mapping[str, str],
) -> tuple[MeetupFigures, list[str]]:
    """The figures of one meetup and the registry ids of the NGOs that took part."""
    ngos = meetup_ngos(meetup, attendances, known)
    figures = MeetupFigures(
        participants=len({a["person_key"] for a in attendances}),
        attendances=len(attendances),
        organizations=len(ngos),
        consultations=consultations,
        registrations_confirmed=registrations_confirmed,
        no_shows=no_shows,
    )
    return figures, sorted(k for k in ngos if not k.startswith(NAMED))
