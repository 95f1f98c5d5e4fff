"""Figures of meetups computed from the records (attendances, program, consultations),
never stored as totals: used by the completion event and by the practice report."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_events.domain.common import normalise


def organization_key(organization_id: str | None, name: str | None) -> str | None:
    """Registry id when known, else the normalised free-text name."""
    if organization_id:
        return organization_id
    if name and name.strip():
        return "name:" + normalise(name)
    return None


def counts_as_ngo(attendance: dict[str, Any]) -> bool:
    """A registry organization, or a free-text one named by an NGO representative (an
    official's administration or a newspaper is not an NGO that took part)."""
    return bool(attendance.get("organization_id")) or attendance.get("role") == (
        "ngo_representative"
    )


async def meetup_figures(db: AsyncDatabase[dict[str, Any]], meetup: dict[str, Any]) -> dict:
    mid = meetup["_id"]
    people: set[str] = set()
    orgs: set[str] = set()
    attendances = 0
    async for a in db["attendances"].find({"meetup_id": mid}):
        attendances += 1
        people.add(a["person_key"])
        key = organization_key(a.get("organization_id"), a.get("organization_name"))
        if key and counts_as_ngo(a):
            orgs.add(key)
    for item in meetup.get("program", []):
        if item.get("organization_id"):
            orgs.add(item["organization_id"])
    consultations = await db["slots"].count_documents(
        {"meetup_id": mid, "booking.status": "completed"}
    )
    confirmed = await db["registrations"].count_documents({"meetup_id": mid, "status": "confirmed"})
    no_shows = await db["registrations"].count_documents(
        {"meetup_id": mid, "status": "confirmed", "no_show": True}
    )
    return {
        "figures": {
            "participants": len(people),
            "attendances": attendances,
            "organizations": len(orgs),
            "consultations": consultations,
            "registrations_confirmed": confirmed,
            "no_shows": no_shows,
        },
        "organization_ids": sorted(k for k in orgs if not k.startswith("name:")),
    }
