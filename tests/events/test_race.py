"""The race: 500 distinct + 100 duplicate registrations at once for a 65-seat meetup, then
10 cancellations at once. Capacity never exceeded, FIFO kept, no duplicates, no 5xx."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.events.conftest import STAFF, caught_up, from_client, person, scheduled_meetup


@pytest.mark.timeout(600)
async def test_600_concurrent_registrations_for_65_seats_then_10_cancellations(events, spy):
    mid = (await scheduled_meetup(events, capacity=65))["meetup_id"]
    people = list(range(500)) + random.sample(range(500), 100)
    random.shuffle(people)
    bodies = [person(i) for i in people]

    async def post(i):  # each person from their own address, as on the internet
        return await events.post(
            f"/api/v1/meetups/{mid}/registrations", json=person(i), headers=from_client(i)
        )

    responses = await asyncio.gather(*(post(i) for i in people))
    assert all(r.status_code in (200, 201) for r in responses), {r.status_code for r in responses}
    assert sum(r.status_code == 201 for r in responses) == 500

    db = events.app.state.runtime.db
    regs = [r async for r in db["registrations"].find({"meetup_id": mid})]
    assert len(regs) == 500 and len({r["email_key"] for r in regs}) == 500
    by_status = {s: [r for r in regs if r["status"] == s] for s in ("confirmed", "waitlisted")}
    assert len(by_status["confirmed"]) == 65 and len(by_status["waitlisted"]) == 435
    meetup = await db["meetups"].find_one({"_id": mid})
    assert (meetup["confirmed"], meetup["waiting"]) == (65, 435)
    assert "seats" not in meetup and "waitlist" not in meetup, "the ledger is counters only"
    numbers = [r["waitlist_position"] for r in by_status["waitlisted"]]
    assert len(set(numbers)) == 435, "every waiter has a number of their own"
    waitlist = [
        r["_id"] for r in sorted(by_status["waitlisted"], key=lambda r: r["waitlist_position"])
    ]
    # the same person always got the same answer
    ids_by_email: dict[str, set[str]] = {}
    for body, r in zip(bodies, responses, strict=True):
        ids_by_email.setdefault(body["email"], set()).add(r.json()["registration_id"])
    assert all(len(ids) == 1 for ids in ids_by_email.values())

    await spy.wait_for(
        lambda ev: (
            len(spy.of_type("events.registration.waitlisted")) == 435
            and len(spy.of_type("events.registration.confirmed")) == 65
        ),
        timeout=180,
    )
    positions = sorted(e["data"]["position"] for e in spy.of_type("events.registration.waitlisted"))
    assert positions == list(range(1, 436))

    leaving = random.sample(by_status["confirmed"], 10)
    cancels = await asyncio.gather(
        *(events.post(f"/api/v1/registrations/{r['_id']}/cancel", headers=STAFF) for r in leaving)
    )
    assert all(c.status_code == 200 for c in cancels)
    await spy.wait_for(
        lambda ev: len(spy.of_type("events.registration.promoted")) == 10, timeout=120
    )
    promoted = {e["data"]["registration_id"] for e in spy.of_type("events.registration.promoted")}
    assert promoted == set(waitlist[:10]), "the first ten in line, nobody else"
    meetup = await db["meetups"].find_one({"_id": mid})
    assert (meetup["confirmed"], meetup["waiting"], meetup["promoting"]) == (65, 425, 0)
    still = db["registrations"].find({"meetup_id": mid, "status": "waitlisted"})
    in_line = sorted([r async for r in still], key=lambda r: r["waitlist_position"])
    assert [r["_id"] for r in in_line] == waitlist[10:], "the rest wait in the same order"
    assert (
        await db["registrations"].count_documents({"meetup_id": mid, "status": "confirmed"}) == 65
    )
    await caught_up(events, spy)
    assert len(spy.of_type("events.registration.promoted")) == 10
