"""The practice report: the six indicators of the practice's results table for a period,
computed from the records every time (never stored as totals), with breakdowns.

"Meetups held" counts completed meetups (kind ``meetup``), as the passport does: its five
meetups of 2019 do not include the unscheduled meeting of 14.06, which is counted apart
(``other_meetings_held``: unscheduled meetings and consultation days). Participants, NGOs
and attendances cover every completed gathering of the period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_events.domain.common import DEFAULT_TZ, as_utc, local
from nkohub_events.repository.figures import counts_as_ngo, organization_key


async def practice_report(
    db: AsyncDatabase[dict[str, Any]], start: date, end: date, tz: str = DEFAULT_TZ
) -> dict[str, Any]:
    since = as_utc(datetime.combine(start, time()), tz)
    until = as_utc(datetime.combine(end + timedelta(days=1), time()), tz)
    meetups = [
        m
        async for m in db["meetups"]
        .find(
            {"status": "completed", "starts_at": {"$gte": since, "$lt": until}},
            {"_outbox": 0, "seats": 0, "waitlist": 0},
        )
        .sort("starts_at", 1)
    ]
    ids = [m["_id"] for m in meetups]
    per_meetup: dict[str, dict[str, Any]] = {
        m["_id"]: {
            "meetup_id": m["_id"],
            "title": m["title"],
            "date": local(m["starts_at"], m.get("timezone", tz)).date().isoformat(),
            "kind": m["kind"],
            "people": set(),
            "orgs": {
                p["organization_id"] for p in m.get("program", []) if p.get("organization_id")
            },
            "attendances": 0,
            "consultations": 0,
        }
        for m in meetups
    }
    people: set[str] = set()
    orgs: set[str] = set()
    roles: dict[str, dict[str, Any]] = {}
    attendances = 0
    async for a in db["attendances"].find({"meetup_id": {"$in": ids}}, {"_outbox": 0}):
        attendances += 1
        row = per_meetup[a["meetup_id"]]
        row["attendances"] += 1
        row["people"].add(a["person_key"])
        people.add(a["person_key"])
        role = roles.setdefault(a["role"], {"role": a["role"], "people": set(), "attendances": 0})
        role["people"].add(a["person_key"])
        role["attendances"] += 1
        key = organization_key(a.get("organization_id"), a.get("organization_name"))
        if key and counts_as_ngo(a):
            row["orgs"].add(key)
    for row in per_meetup.values():
        orgs |= row["orgs"]

    specialties: dict[str, int] = {}
    consultations = 0
    async for s in db["slots"].find(
        {
            "booking.status": "completed",
            "booking.given_on": {"$gte": start.isoformat(), "$lte": end.isoformat()},
        },
        {"specialist.specialty": 1, "meetup_id": 1},
    ):
        consultations += 1
        specialty = s["specialist"]["specialty"]
        specialties[specialty] = specialties.get(specialty, 0) + 1
        if s.get("meetup_id") in per_meetup:
            per_meetup[s["meetup_id"]]["consultations"] += 1

    posts = await db["posts"].count_documents(
        {"published": True, "published_at": {"$gte": since, "$lt": until}}
    )
    views = 0
    async for v in db["post_views"].find({"period_start": {"$gte": since, "$lt": until}}):
        views += v["views"]

    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "indicators": {
            "meetups_held": sum(1 for m in meetups if m["kind"] == "meetup"),
            "other_meetings_held": sum(1 for m in meetups if m["kind"] != "meetup"),
            "ngos_took_part": len(orgs),
            "participants": len(people),
            "attendances": attendances,
            "consultations_given": consultations,
            "posts_published": posts,
            "post_views": views,
        },
        "per_meetup": [
            {
                "meetup_id": r["meetup_id"],
                "title": r["title"],
                "date": r["date"],
                "kind": r["kind"],
                "participants": len(r["people"]),
                "attendances": r["attendances"],
                "ngos": len(r["orgs"]),
                "consultations": r["consultations"],
            }
            for r in per_meetup.values()
        ],
        "per_role": [
            {"role": r["role"], "participants": len(r["people"]), "attendances": r["attendances"]}
            for r in sorted(roles.values(), key=lambda r: r["role"])
        ],
        "per_specialty": [
            {"specialty": k, "consultations": v} for k, v in sorted(specialties.items())
        ],
    }
