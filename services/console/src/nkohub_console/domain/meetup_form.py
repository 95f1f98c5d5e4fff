"""The meetup form: what a person types (local times, a program as rows) into the events
service's fields, and the service's field names back to the form's.

Times are typed in the venue's time zone (``datetime-local`` inputs) and sent without an
offset: the events service reads naive times as the venue's local time. A copy's new
start is sent with its offset (ISO 8601), as the copy endpoint asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from nkohub_console.domain.forms import FormErrors
from nkohub_shared.russian import DEFAULT_TIMEZONE, in_zone

PROGRAM_ROWS_EMPTY = 3  # blank rows under the program for new items
PROGRAM_FIELDS = ("kind", "title", "starts_at", "speaker_name", "speaker_email")
# Carried through the form unseen, so that saving keeps what the form does not edit: the
# item's organization, and the speaker's person key while the speaker's name is unchanged
# (the key lets a person's erasure find them in the program).
PROGRAM_KEPT = ("organization_id", "speaker_person_key", "speaker_was")
ALIASES = {"venue.name": "venue_name", "venue.address": "venue_address"}
ALIASES |= {"venue.hall_capacity": "hall_capacity", "venue": "venue_name"}
TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def form_field(service_field: str | None) -> str | None:
    """``venue.name`` → ``venue_name``; ``program.2.title`` → ``program-2-title``."""
    if service_field is None:
        return None
    if service_field in ALIASES:
        return ALIASES[service_field]
    parts = service_field.split(".")
    if parts[0] == "program" and len(parts) >= 2:
        return "-".join(parts)
    return service_field


def aliases_for(fields: list[str]) -> dict[str, str]:
    return {f: form_field(f) or f for f in fields}


def _int(form: Mapping[str, str], name: str, errors: FormErrors) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.add(name, "нужно целое число")
        return None


def _time(form: Mapping[str, str], name: str, errors: FormErrors) -> str | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None).isoformat(timespec="minutes")
    except ValueError:
        errors.add(name, "дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ")
        return None


def program_rows(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The program rows as typed (``program-<n>-<field>``), in order, blank ones dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        parts = key.split("-")
        is_program = len(parts) == 3 and parts[0] == "program" and parts[1].isdigit()
        if is_program and parts[2] in PROGRAM_FIELDS + PROGRAM_KEPT:
            rows.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    return [rows[i] for i in sorted(rows) if rows[i].get("title")]


def meetup_fields(
    form: Mapping[str, str], *, for_patch: bool = False
) -> tuple[dict[str, Any], FormErrors]:
    """The events service's fields of the typed form, and the errors found before sending."""
    errors = FormErrors()
    fields: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "kind": form.get("kind") or "meetup",
        "description": form.get("description", ""),
        "waitlist_enabled": form.get("waitlist_enabled") == "on",
        "topics": [t.strip() for t in form.get("topics", "").split(",") if t.strip()],
    }
    for name in TIMES:
        fields[name] = _time(form, name, errors)
    fields["capacity"] = _int(form, "capacity", errors)
    fields["reserved_seats"] = _int(form, "reserved_seats", errors) or 0
    venue: dict[str, Any] = {"name": form.get("venue_name", "").strip()}
    if form.get("venue_address", "").strip():
        venue["address"] = form["venue_address"].strip()
    hall = _int(form, "hall_capacity", errors)
    if hall is not None:
        venue["hall_capacity"] = hall
    fields["venue"] = venue
    program = []
    for row in program_rows(form):
        item: dict[str, Any] = {"kind": row.get("kind") or "talk", "title": row["title"]}
        if row.get("starts_at"):
            item["starts_at"] = _time({"t": row["starts_at"]}, "t", errors)
        if row.get("speaker_name"):
            item["speaker_name"] = row["speaker_name"]
        if row.get("speaker_email"):  # staff only: the speaker's day-before reminder
            item["speaker_email"] = row["speaker_email"]
        if row.get("organization_id"):
            item["organization_id"] = row["organization_id"]
        same_speaker = row.get("speaker_name", "") == row.get("speaker_was", "")
        if row.get("speaker_person_key") and same_speaker:
            item["speaker_person_key"] = row["speaker_person_key"]
        program.append(item)
    fields["program"] = program
    for required in ("title", "starts_at", "ends_at", "capacity"):
        if fields.get(required) in (None, "") and not errors.get(required):
            errors.add(required, "обязательное поле")
    if not venue["name"]:
        errors.add("venue_name", "обязательное поле")
    if for_patch:
        fields = {k: v for k, v in fields.items() if v is not None or k.startswith("registration")}
    else:
        fields = {k: v for k, v in fields.items() if v is not None}
    return fields, errors


def form_of(meetup: Mapping[str, Any]) -> dict[str, str]:
    """A stored meetup as the form's values (times in its own time zone)."""
    tz = meetup.get("timezone") or DEFAULT_TIMEZONE
    venue = meetup.get("venue") or {}
    form = {
        "title": meetup.get("title", ""),
        "kind": meetup.get("kind", "meetup"),
        "description": meetup.get("description", ""),
        "capacity": str(meetup.get("capacity", "")),
        "reserved_seats": str(meetup.get("reserved_seats") or 0),
        "venue_name": venue.get("name", ""),
        "venue_address": venue.get("address") or "",
        "hall_capacity": str(venue.get("hall_capacity") or ""),
        "topics": ", ".join(meetup.get("topics") or []),
        "waitlist_enabled": "on" if meetup.get("waitlist_enabled", True) else "",
    }
    for name in TIMES:
        value = meetup.get(name)
        form[name] = f"{in_zone(value, tz):%Y-%m-%dT%H:%M}" if value else ""
    for i, item in enumerate(meetup.get("program") or []):
        form[f"program-{i}-kind"] = item.get("kind", "talk")
        form[f"program-{i}-title"] = item.get("title", "")
        at = item.get("starts_at")
        form[f"program-{i}-starts_at"] = f"{in_zone(at, tz):%Y-%m-%dT%H:%M}" if at else ""
        form[f"program-{i}-speaker_name"] = item.get("speaker_name") or ""
        form[f"program-{i}-speaker_email"] = item.get("speaker_email") or ""
        form[f"program-{i}-organization_id"] = item.get("organization_id") or ""
        form[f"program-{i}-speaker_person_key"] = item.get("speaker_person_key") or ""
        form[f"program-{i}-speaker_was"] = item.get("speaker_name") or ""
    return form


def program_count(form: Mapping[str, str]) -> int:
    """How many program rows the form shows: the typed ones and a few blank ones."""
    indices = [
        int(k.split("-")[1])
        for k in form
        if k.startswith("program-") and k.split("-")[1].isdigit() and form[k]
    ]
    return (max(indices) + 1 if indices else 0) + PROGRAM_ROWS_EMPTY


def copy_start(day: str, clock: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The new start of a copied meetup, ISO 8601 with the venue's offset:
    ``("2030-03-28", "15:00")`` in Europe/Samara → ``2030-03-28T15:00:00+04:00``."""
    moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock or "15:00"))
    return moment.replace(tzinfo=ZoneInfo(timezone)).isoformat()
