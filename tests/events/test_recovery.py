"""What a crash between two writes of a registration leaves is repaired from the
registrations (the counters set to what they say), ledgers with id arrays are migrated,
and a participant who cancelled may come back."""

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
    # crash after the seat was counted, before the status was set (the count leaks)
    await db["registrations"].insert_one(pending("crash-seated", mid, "a@example.org"))
    await db["meetups"].update_one({"_id": mid}, {"$inc": {"confirmed": 1, "ledger_version": 1}})
    # crash after the pending insert, before any seat
    await db["registrations"].insert_one(pending("crash-unseated", mid, "b@example.org"))
    # crash after a cancellation was written, before its seat was given back
    await db["registrations"].update_one(
        {"_id": first["registration_id"]}, {"$set": {"status": "cancelled"}}
    )
    waiting = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(2))).json()
    assert waiting["status"] == "waitlisted", "the counters say full"

    assert await registrations.reconcile() > 0
    statuses = {r["_id"]: r["status"] async for r in db["registrations"].find({"meetup_id": mid})}
    # both crashed ones join the line after the one who waited; the counters are set to
    # what the registrations say (nobody seated), and the two free seats go down the line
    assert statuses[waiting["registration_id"]] == "confirmed", "the first in line"
    assert statuses["crash-seated"] == "confirmed", "the second in line"
    assert statuses["crash-unseated"] == "waitlisted", "the third waits"
    meetup = await db["meetups"].find_one({"_id": mid})
    assert (meetup["confirmed"], meetup["waiting"], meetup["promoting"]) == (2, 1, 0)
    await spy.wait_for(
        lambda ev: (
            {e["data"]["registration_id"] for e in spy.of_type("events.registration.promoted")}
            == {waiting["registration_id"], "crash-seated"}
        )
    )
    await spy.wait_for(
        lambda ev: any(
            e["data"]["registration_id"] == "crash-unseated"
            for e in spy.of_type("events.registration.waitlisted")
        )
    )
    assert await registrations.reconcile() == 0, "nothing left to repair"


@pytest.mark.slow  # a fault test: a promotion that died between its two writes
async def test_a_promotion_that_died_is_repaired_after_its_mark_is_stale(events):
    db = events.app.state.runtime.db
    registrations = events.app.state.runtime.context.registrations
    mid = (await scheduled_meetup(events, capacity=1))["meetup_id"]
    one = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    two = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(2))).json()
    assert (one["status"], two["status"]) == ("confirmed", "waitlisted")
    # the first cancelled and gave the seat back; the promoter counted the seat for the
    # head, then died: the counters say 1 seated, 0 waiting, one promotion under way
    await db["registrations"].update_one(
        {"_id": one["registration_id"]}, {"$set": {"status": "cancelled"}}
    )
    await db["meetups"].update_one(
        {"_id": mid},
        {
            "$set": {"confirmed": 1, "waiting": 0, "promoting": 1, "promoting_at": utcnow()},
            "$inc": {"ledger_version": 1},
        },
    )
    assert await registrations.reconcile() == 0, "a fresh promotion may still be under way"
    await db["meetups"].update_one(
        {"_id": mid}, {"$set": {"promoting_at": utcnow() - timedelta(minutes=5)}}
    )
    assert await registrations.reconcile() == 2, "counters repaired, then the head promoted"
    r = await db["registrations"].find_one({"_id": two["registration_id"]})
    assert r["status"] == "confirmed"
    meetup = await db["meetups"].find_one({"_id": mid})
    assert (meetup["confirmed"], meetup["waiting"], meetup["promoting"]) == (1, 0, 0)


async def test_ledgers_with_id_arrays_are_migrated_once_keeping_the_order(events):
    db = events.app.state.runtime.db
    registrations = events.app.state.runtime.context.registrations
    mid = (await scheduled_meetup(events, capacity=1))["meetup_id"]
    seated = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    old = [
        (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(i))).json()
        for i in (2, 3)
    ]
    ids = [r["registration_id"] for r in old]
    # the ledger as the code before the counters wrote it: id arrays, no numbers
    await db["registrations"].update_many(
        {"_id": {"$in": ids}}, {"$unset": {"waitlist_position": ""}}
    )
    await db["meetups"].update_one(
        {"_id": mid},
        {
            "$set": {"seats": [seated["registration_id"]], "waitlist": list(reversed(ids))},
            "$unset": {"next_place": ""},
        },
    )
    await registrations.migrate_ledgers()
    await registrations.migrate_ledgers()  # idempotent
    meetup = await db["meetups"].find_one({"_id": mid})
    assert "seats" not in meetup and "waitlist" not in meetup
    numbers = {
        r["_id"]: r["waitlist_position"]
        async for r in db["registrations"].find({"_id": {"$in": ids}})
    }
    assert numbers == {ids[1]: -2, ids[0]: -1}, "the old order, before any new number"
    late = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(4))).json()
    assert (late["status"], late["position"]) == ("waitlisted", 3)
    staff = (await events.get(f"/api/v1/registrations/{ids[0]}", headers=STAFF)).json()
    assert staff["position"] == 2
    await events.post(f"/api/v1/registrations/{seated['registration_id']}/cancel", headers=STAFF)
    promoted = await db["registrations"].find_one({"_id": ids[1]})
    assert promoted["status"] == "confirmed", "the head of the old waitlist goes first"


async def test_who_cancelled_may_register_again(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    first = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    await events.post(f"/api/v1/registrations/{first['registration_id']}/cancel", headers=STAFF)
    again = await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))
    assert again.status_code == 201 and again.json()["status"] == "confirmed"
    assert again.json()["registration_id"] == first["registration_id"]
    public = (await events.get(f"/api/v1/meetups/{mid}")).json()
    assert public["seats_taken"] == 1
