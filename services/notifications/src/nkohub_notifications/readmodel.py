"""The local read model of meetups and registrations, built from the events service's
events: who is registered for what, so updates, cancellations, reminders and thank-yous
reach the right people."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from nkohub_notifications.domain import now
from nkohub_notifications.repository import MEETUPS, REGISTRATIONS, Db
from nkohub_shared.contracts.common import MeetupSnapshot, Participant
from nkohub_shared.privacy import normalise_email
from nkohub_shared.storage.idempotent import apply_once

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"


async def remember_meetup(db: Db, meetup: MeetupSnapshot, status: str | None = None) -> None:
    """Keep the newest snapshot (highest ``sequence``); an older one changes nothing."""
    fields: dict[str, Any] = {
        "snapshot": meetup.model_dump(),
        "sequence": meetup.sequence,
        "starts_at": meetup.starts_at,
        "updated_at": now(),
    }
    if status:
        fields["status"] = status
    result = await db[MEETUPS].update_one(
        {"_id": meetup.meetup_id, "sequence": {"$lte": meetup.sequence}}, {"$set": fields}
    )
    if result.matched_count:
        return
    try:
        await db[MEETUPS].insert_one({"_id": meetup.meetup_id, "status": "scheduled", **fields})
    except DuplicateKeyError:  # we already hold a newer snapshot
        if status:
            await db[MEETUPS].update_one({"_id": meetup.meetup_id}, {"$set": {"status": status}})


async def meetup_of(db: Db, meetup_id: str) -> tuple[MeetupSnapshot, str] | None:
    doc = await db[MEETUPS].find_one({"_id": meetup_id})
    if doc is None:
        return None
    return MeetupSnapshot.model_validate(doc["snapshot"]), doc.get("status", "scheduled")


async def remember_registration(
    db: Db,
    *,
    registration_id: str,
    meetup: MeetupSnapshot,
    participant: Participant,
    status: str,
    event_id: str,
) -> bool:
    """Record a registration's state; ``cancelled`` is final (a late event cannot undo it)."""
    filter: dict[str, Any] = {"_id": registration_id}
    if status != CANCELLED:
        filter["status"] = {"$ne": CANCELLED}
    update = {
        "$set": {
            "meetup_id": meetup.meetup_id,
            "person_key": participant.person_key,
            "name": participant.name,
            "email": normalise_email(participant.email),
            "status": status,
            "updated_at": now(),
        },
        "$setOnInsert": {"attended": False, "created_at": now()},
    }
    return await apply_once(db[REGISTRATIONS], filter, update, event_id, upsert=True)


async def registrations_of(db: Db, meetup_id: str, statuses: list[str]) -> list[dict[str, Any]]:
    cursor = db[REGISTRATIONS].find({"meetup_id": meetup_id, "status": {"$in": statuses}})
    return [doc async for doc in cursor]
