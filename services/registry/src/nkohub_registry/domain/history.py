"""History with us: what the events service told us (attendance, presentations,
consultations) and what staff entered (grants won), summarised per organization.

The read model document (collection ``history``, ``_id`` = organization id) holds
``meetups`` {meetup_id: {title, starts_at}}, ``person_keys`` (pseudonymous; pulled on
erasure, counted in ``erased_people`` instead), ``presentations`` {meetup_id: {...}},
``consultations`` {consultation_id: {...}} and ``last_attended_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts.common import MeetupSnapshot
from nkohub_registry.domain.fields import Text
from nkohub_shared.ids import new_id


class GrantWon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competition: Text
    foundation: Text
    year: int = Field(ge=1990, le=2100)
    amount: float | None = Field(default=None, ge=0, description="рублей")
    project_title: Text

    def stored(self) -> dict[str, Any]:
        return {"grant_id": new_id(), **self.model_dump()}


def presentations(meetup: MeetupSnapshot) -> dict[str, dict[str, Any]]:
    """Organization id → its presentation at this meetup (the titles of its program items);
    an organization dropped from the program has none."""
    titles: dict[str, list[str]] = {}
    for item in meetup.program:
        if item.organization_id:
            titles.setdefault(item.organization_id, []).append(item.title)
    return {
        organization_id: {
            "meetup_title": meetup.title,
            "titles": item_titles,
            "starts_at": meetup.starts_at,
        }
        for organization_id, item_titles in titles.items()
    }


def has_happened(meetup: MeetupSnapshot, now: datetime | None = None) -> bool:
    """A meetup that has started counts as contact with the organizations presenting."""
    return meetup.starts_at <= (now or datetime.now(UTC))


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def history_view(
    doc: dict[str, Any] | None, grants: list[dict[str, Any]], now: datetime | None = None
) -> dict[str, Any]:
    """Counts and dates only: no person keys leave the service."""
    now = now or datetime.now(UTC)
    doc = doc or {}
    meetups = doc.get("meetups") or {}
    presentations = [
        {"meetup_id": mid, **p}
        for mid, p in (doc.get("presentations") or {}).items()
        if (_as_utc(p.get("starts_at")) or now) <= now
    ]
    consultations = doc.get("consultations") or {}
    contacts = [_as_utc(doc.get("last_attended_at"))]
    contacts += [_as_utc(p.get("starts_at")) for p in presentations]
    contacts += [_as_utc(f"{c['given_on']}T00:00:00+00:00") for c in consultations.values()]
    known = [c for c in contacts if c is not None]
    return {
        "meetups_attended": len(meetups),
        "meetups": sorted(
            ({"meetup_id": mid, **m} for mid, m in meetups.items()),
            key=lambda m: str(m.get("starts_at")),
        ),
        "people_came": len(doc.get("person_keys") or []) + int(doc.get("erased_people") or 0),
        "presentations_given": len(presentations),
        "presentations": sorted(presentations, key=lambda p: str(p.get("starts_at"))),
        "consultations_received": len(consultations),
        "last_contact_at": max(known) if known else None,
        "grants": grants,
        "came": bool(meetups or presentations or consultations),
    }
