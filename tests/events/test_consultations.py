"""Consultations: specialists, slots, one booking per slot and N per NGO under concurrency,
cancel by token, completion and no-show, consultations recorded afterwards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.events.conftest import (
    STAFF,
    caught_up,
    consultation_token,
    from_client,
    scheduled_meetup,
)


async def specialist(client, specialty="lawyer", name="Иванова И.И."):
    r = await client.post(
        "/api/v1/specialists",
        json={"name": name, "specialty": specialty, "body": "Минюст", "email": "i@minjust.ru"},
        headers=STAFF,
    )
    assert r.status_code == 201, r.text
    return r.json()


async def slots_for(client, meetup, specialist_id, n):
    start = datetime.fromisoformat(meetup["starts_at"])
    out = []
    for i in range(n):
        r = await client.post(
            f"/api/v1/meetups/{meetup['meetup_id']}/consultation-slots",
            json={
                "specialist_id": specialist_id,
                "starts_at": (start + timedelta(minutes=10 * i)).isoformat(),
                "duration_minutes": 10,
            },
            headers=STAFF,
        )
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def booking(i, **overrides):
    body = {
        "organization_name": f"НКО {i}",
        "contact": {"name": f"Контакт {i}", "email": f"ngo{i}@example.org"},
        "question": "Как сдать отчётность?",
        "consent_personal_data": True,
    }
    body.update(overrides)
    return body


async def test_50_ngos_race_for_10_slots_and_one_ngo_gets_at_most_n(events, spy):
    meetup = await scheduled_meetup(events, consultations_per_organization=2)
    s = await specialist(events)
    slots = await slots_for(events, meetup, s["specialist_id"], 10)

    async def book(i):  # each NGO from its own address
        slot = slots[i % 10]["slot_id"]
        return await events.post(
            f"/api/v1/consultation-slots/{slot}/booking", json=booking(i), headers=from_client(i)
        )

    results = await asyncio.gather(*(book(i) for i in range(50)))
    assert sorted({r.status_code for r in results}) == [201, 409]
    assert sum(r.status_code == 201 for r in results) == 10
    listed = (await events.get(f"/api/v1/meetups/{meetup['meetup_id']}/consultation-slots")).json()
    assert all(x["booked"] for x in listed) and "booking" not in listed[0]
    await spy.wait_for(lambda ev: len(spy.of_type("events.consultation.booked")) == 10)
    booked = spy.of_type("events.consultation.booked")
    assert len({e["data"]["slot_id"] for e in booked}) == 10
    assert booked[0]["data"]["specialist"]["specialty"] == "lawyer"

    # one NGO, five slots at once, limit 2
    other = await scheduled_meetup(events, consultations_per_organization=2)
    s2 = await specialist(events, "tax_inspector", "Петров П.П.")
    more = await slots_for(events, other, s2["specialist_id"], 5)
    results = await asyncio.gather(  # five of its people at once
        *(
            events.post(
                f"/api/v1/consultation-slots/{slot['slot_id']}/booking",
                json=booking(f"same{k}", organization_name="АНО «Одна»"),
            )
            for k, slot in enumerate(more)
        )
    )
    assert sum(r.status_code == 201 for r in results) == 2
    refused = [r.json() for r in results if r.status_code == 409]
    assert {r["error"]["field"] for r in refused} == {"organization_id"}

    # cancelling by token frees both the slot and the NGO's place
    first = next(r.json() for r in results if r.status_code == 201)
    bad = await events.post(f"/api/v1/consultations/{first['consultation_id']}/cancel?token=x")
    assert bad.status_code == 403
    assert "token" not in first and "cancel_url" not in first, "the link is mailed only"
    token = consultation_token(first["consultation_id"])
    ok = await events.post(f"/api/v1/consultations/{first['consultation_id']}/cancel?token={token}")
    assert ok.status_code == 200
    await spy.wait_for(lambda ev: spy.of_type("events.consultation.cancelled"))
    assert spy.of_type("events.consultation.cancelled")[0]["data"]["cancelled_by"] == "participant"
    again = await events.post(
        f"/api/v1/consultation-slots/{first['slot']['slot_id']}/booking",
        json=booking("same", organization_name="АНО  «одна»"),
    )
    assert again.status_code == 201, again.text


async def test_complete_no_show_and_recorded_after_the_fact(events, spy):
    meetup = await scheduled_meetup(events)
    s = await specialist(events, "accountant")
    slots = await slots_for(events, meetup, s["specialist_id"], 2)
    c1 = (
        await events.post(
            f"/api/v1/consultation-slots/{slots[0]['slot_id']}/booking", json=booking(1)
        )
    ).json()
    c2 = (
        await events.post(
            f"/api/v1/consultation-slots/{slots[1]['slot_id']}/booking", json=booking(2)
        )
    ).json()
    done = await events.post(
        f"/api/v1/consultations/{c1['consultation_id']}/complete",
        json={"outcome": "разъяснены льготы"},
        headers=STAFF,
    )
    assert done.status_code == 200 and done.json()["booking"]["status"] == "completed"
    r = await events.post(f"/api/v1/consultations/{c2['consultation_id']}/no-show", headers=STAFF)
    assert r.json()["booking"]["status"] == "no_show"
    r = await events.post(f"/api/v1/consultations/{c2['consultation_id']}/complete", headers=STAFF)
    assert r.status_code == 409
    await caught_up(events, spy)
    completed = spy.of_type("events.consultation.completed")
    assert [e["data"]["consultation_id"] for e in completed] == [c1["consultation_id"]]

    given = {
        "specialist_id": s["specialist_id"],
        "given_on": "2019-10-15",
        "organization_name": "Фонд «Глазов»",
        "key": "sheet-2019-10-15-1",
    }
    first = await events.post("/api/v1/consultations", json=given, headers=STAFF)
    second = await events.post("/api/v1/consultations", json=given, headers=STAFF)
    assert first.json()["created"] is True and second.json()["created"] is False
    await spy.wait_for(lambda ev: len(spy.of_type("events.consultation.completed")) == 2)
    late = spy.of_type("events.consultation.completed")[1]["data"]
    assert late["recorded_after_the_fact"] is True and late["given_on"] == "2019-10-15"


async def test_bad_slots_and_bookings_are_refused(events):
    meetup = await scheduled_meetup(events)
    s = await specialist(events)
    mid = meetup["meetup_id"]
    outside = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    cases = [
        ({"specialist_id": "nope", "starts_at": meetup["starts_at"]}, "specialist_id"),
        ({"specialist_id": s["specialist_id"], "starts_at": outside}, "starts_at"),
        (
            {
                "specialist_id": s["specialist_id"],
                "starts_at": meetup["starts_at"],
                "duration_minutes": 0,
            },
            "duration_minutes",
        ),
    ]
    for body, field in cases:
        r = await events.post(f"/api/v1/meetups/{mid}/consultation-slots", json=body, headers=STAFF)
        assert 400 <= r.status_code < 500 and r.json()["error"]["field"] == field, r.text
    r = await events.post(
        "/api/v1/specialists", json={"name": "X", "specialty": "astrologer"}, headers=STAFF
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "specialty"
    slot = (await slots_for(events, meetup, s["specialist_id"], 1))[0]
    for body, field in [
        (booking(1, consent_personal_data=False), "consent_personal_data"),
        (booking(1, contact={"name": "A", "email": "bad"}), "contact.email"),
        (booking(1, organization_name=None), "organization_name"),
    ]:
        r = await events.post(f"/api/v1/consultation-slots/{slot['slot_id']}/booking", json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    r = await events.post("/api/v1/consultation-slots/nope/booking", json=booking(1))
    assert r.status_code == 404
    assert (
        await events.app.state.runtime.db["slots"].count_documents({"booking": {"$ne": None}}) == 0
    )
