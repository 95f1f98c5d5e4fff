"""What a crash between two writes of a registration leaves is repaired from the seat
ledger (the meetup document), and a participant who cancelled may come back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nkohub_events.domain.common import utcnow
from nkohub_events.domain.registrations import short_code
from nkohub_shared.privacy import person_key
from tests.events.conftest import STAFF, person, scheduled_meetup


def pending(rid: str, mid: str, email: str, status: str = "pending") -> dict:
    return {
        "_id": rid,
        "meetup_id": mid,
        "status": status,
        "name": "Сбой",
        "email": email,
        "email_key": email,
        "person_key": person_key(email),
        "phone": None,
        "role": "activist",
        "organization_id": None,
        "organization_name": None,
        "consent_text_version": "2026-01",
        "mailing_consent": False,
        "short_code": short_code(rid),
        "created_at": utcnow() - timedelta(minutes=1),
        "checked_in_at": None,
        "no_show": False,
    }


@pytest.mark.slow  # a fault test: the crash between two writes, simulated
async def test_reconcile_finishes_half_done_registrations_and_cancellations(events, spy):
    db = events.app.state.runtime.db
    registrations = events.app.state.runtime.context.registrations
    mid = (await scheduled_meetup(events, capacity=2))["meetup_id"]
    first = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    # crash after the seat was taken, before the status was set
    await db["registrations"].insert_one(pending("crash-seated", mid, "a@example.org"))
    await db["meetups"].update_one(
        {"_id": mid}, {"$push": {"seats": "crash-seated"}, "$inc": {"confirmed": 1}}
    )
    # crash after the pending insert, before any seat
    await db["registrations"].insert_one(pending("crash-unseated", mid, "b@example.org"))
    # crash after a cancellation was written, before its seat was released
    await db["registrations"].update_one(
        {"_id": first["registration_id"]}, {"$set": {"status": "cancelled"}}
    )
    waiting = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(2))).json()
    assert waiting["status"] == "waitlisted"

    assert await registrations.reconcile() > 0
    statuses = {r["_id"]: r["status"] async for r in db["registrations"].find({"meetup_id": mid})}
    assert statuses["crash-seated"] == "confirmed"
    assert statuses["crash-unseated"] == "waitlisted", "seated again: the meetup was full"
    assert statuses[waiting["registration_id"]] == "confirmed", "the freed seat was given on"
    meetup = await db["meetups"].find_one({"_id": mid})
    assert meetup["confirmed"] == 2 and first["registration_id"] not in meetup["seats"]
    assert meetup["waitlist"] == ["crash-unseated"]
    await spy.wait_for(lambda ev: spy.of_type("events.registration.promoted"))
    await spy.wait_for(
        lambda ev: any(
            e["data"]["registration_id"] == "crash-seated"
            for e in spy.of_type("events.registration.confirmed")
        )
    )
    await spy.wait_for(
        lambda ev: any(
            e["data"]["registration_id"] == "crash-unseated"
            for e in spy.of_type("events.registration.waitlisted")
        )
    )
    assert await registrations.reconcile() == 0, "nothing left to repair"


async def test_who_cancelled_may_register_again(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    first = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    await events.post(f"/api/v1/registrations/{first['registration_id']}/cancel", headers=STAFF)
    again = await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))
    assert again.status_code == 201 and again.json()["status"] == "confirmed"
    assert again.json()["registration_id"] == first["registration_id"]
    public = (await events.get(f"/api/v1/meetups/{mid}")).json()
    assert public["seats_taken"] == 1
