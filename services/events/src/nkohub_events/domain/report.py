"""The practice report: the indicators of the practice's results table for a period,
computed from the records every time (never stored as totals), with breakdowns.

"Meetups held" counts completed meetups of kind ``meetup``, as the passport does: its five
meetups of 2019 do not include the unscheduled meeting of 14.06, which is counted apart
(``other_meetings_held``: unscheduled meetings and consultation days). Cancelled meetups
are not held. Participants, NGOs and attendances cover every completed gathering of the
period. Days are the venue's: a period from 1 to 31 March holds a meetup at 00:30 on the
1st and one at 23:30 on the 31st, local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from nkohub_events.domain.common import DEFAULT_TZ, day_start, local
from nkohub_events.domain.figures import known_names, meetup_ngos
from nkohub_shared.errors import InvalidInput

INDICATORS = (
    ("meetups_held", "Проведено митапов"),
    ("other_meetings_held", "Внеплановых встреч и дней консультаций"),
    ("ngos_took_part", "НКО приняли участие"),
    ("participants", "Участников (уникальных)"),
    ("attendances", "Посещений (всего)"),
    ("consultations_given", "Консультаций НКО"),
    ("posts_published", "Записей в блоге «Проект +»"),
    ("post_views", "Просмотров блога"),
)
MAX_DAYS = 3700  # about ten years

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end`` (both included) in the venue's time zone."""

    start: date
    end: date
    timezone: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("the period must end on or after its start", field="to")
        if (self.end - self.start).days > MAX_DAYS:
            raise InvalidInput("the period is at most ten years", field="to")

    @property
    def since(self) -> datetime:
        """The first moment of the period (UTC)."""
        return day_start(self.start, self.timezone)

    @property
    def until(self) -> datetime:
        """The first moment after the period (UTC)."""
        return day_start(self.end + timedelta(days=1), self.timezone)

    def holds(self, moment: datetime) -> bool:
        return self.since <= moment < self.until

    def holds_day(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class PeriodRecords:
    """What the report is computed from (the repository loads a period's records)."""

    meetups: list[Record] = field(default_factory=list)  # meetups starting in the period
    attendances: list[Record] = field(default_factory=list)  # at those meetups
    consultations: list[Record] = field(default_factory=list)  # slots with a completed booking
    posts: list[Record] = field(default_factory=list)  # posts of the blog (read model)
    views: list[Record] = field(default_factory=list)  # counted views, one per period
    organizations: list[Record] = field(default_factory=list)  # the registry's read model


def held(meetup: Record, period: Period) -> bool:
    return meetup["status"] == "completed" and period.holds(meetup["starts_at"])


def given_in(consultation: Record, period: Period) -> bool:
    booking = consultation.get("booking") or {}
    given_on = booking.get("given_on")
    return (
        booking.get("status") == "completed"
        and given_on is not None
        and period.holds_day(date.fromisoformat(given_on))
    )


def practice_report(period: Period, records: PeriodRecords) -> dict[str, Any]:
    meetups = sorted((m for m in records.meetups if held(m, period)), key=lambda m: m["starts_at"])
    ids = {m["_id"] for m in meetups}
    attendances = [a for a in records.attendances if a["meetup_id"] in ids]
    consultations = [c for c in records.consultations if given_in(c, period)]
    known = known_names(records.organizations)

    at_meetup: dict[str, list[Record]] = {mid: [] for mid in ids}
    for a in attendances:
        at_meetup[a["meetup_id"]].append(a)
    consulted: dict[str, int] = {}
    specialties: dict[str, int] = {}
    for c in consultations:
        specialty = c["specialist"]["specialty"]
        specialties[specialty] = specialties.get(specialty, 0) + 1
        if c.get("meetup_id") in ids:
            consulted[c["meetup_id"]] = consulted.get(c["meetup_id"], 0) + 1

    rows, ngos = [], set()
    for m in meetups:
        present = at_meetup[m["_id"]]
        meetup_ngo_keys = meetup_ngos(m, present, known)
        ngos |= meetup_ngo_keys
        rows.append(
            {
                "meetup_id": m["_id"],
                "title": m["title"],
                "date": local(m["starts_at"], m.get("timezone", period.timezone))
                .date()
                .isoformat(),
                "kind": m["kind"],
                "participants": len({a["person_key"] for a in present}),
                "attendances": len(present),
                "ngos": len(meetup_ngo_keys),
                "consultations": consulted.get(m["_id"], 0),
            }
        )

    roles: dict[str, dict[str, Any]] = {}
    for a in attendances:
        role = roles.setdefault(a["role"], {"people": set(), "attendances": 0})
        role["people"].add(a["person_key"])
        role["attendances"] += 1

    posts = [p for p in records.posts if p.get("published") and period.holds(p["published_at"])]
    views = sum(v["views"] for v in records.views if period.holds(v["period_start"]))
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "indicators": {
            "meetups_held": sum(1 for m in meetups if m["kind"] == "meetup"),
            "other_meetings_held": sum(1 for m in meetups if m["kind"] != "meetup"),
            "ngos_took_part": len(ngos),
            "participants": len({a["person_key"] for a in attendances}),
            "attendances": len(attendances),
            "consultations_given": len(consultations),
            "posts_published": len(posts),
            "post_views": views,
        },
        "per_meetup": rows,
        "per_role": [
            {"role": name, "participants": len(r["people"]), "attendances": r["attendances"]}
            for name, r in sorted(roles.items())
        ],
        "per_specialty": [
            {"specialty": k, "consultations": v} for k, v in sorted(specialties.items())
        ],
    }
