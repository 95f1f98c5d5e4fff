"""Erasure reaches every copy of a person in this service and lasts: after
``registry.person.erased`` — and after the erasure event again, the same sign-in sheet
imported again and the public forms tried again — the person's name and address appear
nowhere in the service's database (every document of every collection, as JSON text)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from bson import json_util

from nkohub_contracts.registry import PersonErased
from nkohub_events.app import create_app
from nkohub_shared.privacy import person_key
from tests.events.conftest import (
    STAFF,
    caught_up,
    consultation_token,
    events_settings,
    from_client,
    meetup_body,
    move_to_past,
    publish,
    registration_token,
    scheduled_meetup,
)
from tests.events.test_consultations import slots_for
from tests.support.broker import wait_until
from tests.support.inprocess import running

NAME = "Мария Эрасова"
EMAIL = "Maria.Erasova@example.org"
TRACES = ("эрасов", "erasova", "+7 912 555-44-33")
SHEET = f"Имя;Роль;Организация;Контакт\n{NAME};активист;;{EMAIL}\nПётр Иванов;ОМС;;\n"


def her(**overrides):
    body = {
        "name": NAME,
        "email": EMAIL,
        "phone": "+7 912 555-44-33",
        "role": "activist",
        "consent_personal_data": True,
    }
    return {**body, **overrides}


async def traces_in(db) -> list[str]:
    """Every document mentioning her, as ``collection: text``."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find():
            text = json.dumps(doc, default=json_util.default, ensure_ascii=False).lower()
            if any(t.lower() in text for t in TRACES):
                found.append(f"{name}: {text[:300]}")
    return found


@pytest.fixture
async def events(sandbox):
    """Her address is mailed more than the door allows in an hour: not what this tests."""
    app = create_app(events_settings(sandbox, mails_per_address_per_hour=100))
    async with running(app) as client:
        client.app = app
        yield client


async def test_erasure_reaches_every_copy_and_nothing_brings_it_back(events, sandbox, spy):
    db = events.app.state.runtime.db
    key = person_key(EMAIL)
    me = from_client("maria")
    # she speaks at a meetup, and is a specialist with slots
    talk = [{"kind": "talk", "title": "Гранты", "speaker_name": NAME, "speaker_person_key": key}]
    meetup = await scheduled_meetup(events, program=talk, capacity=20)
    mid = meetup["meetup_id"]
    specialist = await events.post(
        "/api/v1/specialists",
        json={"name": NAME, "specialty": "lawyer", "body": "Минюст", "email": EMAIL},
        headers=STAFF,
    )
    slots = await slots_for(events, meetup, specialist.json()["specialist_id"], 3)

    # she registers (API), asks her own talk a question, another asks too
    reg = await events.post(f"/api/v1/meetups/{mid}/registrations", json=her(), headers=me)
    rid = reg.json()["registration_id"]
    token = registration_token(rid)
    asked = await events.post(
        f"/api/v1/meetups/{mid}/questions",
        json={"registration_id": rid, "token": token, "text": "Вопрос?", "program_position": 1},
        headers=me,
    )
    assert asked.status_code == 201 and asked.json()["addressed_to"] == NAME
    # she books a consultation (kept) and another (cancelled), with her name in the question
    question = f"Вопрос от {NAME}"
    bookings = []
    for slot in slots[:2]:
        b = await events.post(
            f"/api/v1/consultation-slots/{slot['slot_id']}/booking",
            json={
                "organization_name": "АНО «Её»",
                "contact": {"name": NAME, "email": EMAIL, "phone": "+7 912 555-44-33"},
                "question": question,
                "consent_personal_data": True,
            },
            headers=me,
        )
        assert b.status_code == 201, b.text
        bookings.append(b.json()["consultation_id"])
    cancelled = await events.post(
        f"/api/v1/consultations/{bookings[1]}/cancel?token={consultation_token(bookings[1])}",
        headers=me,
    )
    assert cancelled.status_code == 200
    # another meetup: registered through the page, then cancelled
    other = (await scheduled_meetup(events))["meetup_id"]
    page = await events.post(
        f"/meetups/{other}/register", data={**her(), "consent_personal_data": "yes"}, headers=me
    )
    assert page.status_code == 201, page.text
    other_reg = await db["registrations"].find_one({"meetup_id": other})
    await events.post(f"/api/v1/registrations/{other_reg['_id']}/cancel", headers=STAFF)
    # she is checked in, the meetup completes, she leaves feedback signed with her name
    assert (
        await events.post(f"/api/v1/registrations/{rid}/check-in", headers=STAFF)
    ).status_code == 200
    await move_to_past(events, mid)
    assert (await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)).status_code == 200
    feedback = await events.post(
        f"/api/v1/meetups/{mid}/feedback",
        json={"registration_id": rid, "token": token, "rating": 5, "comment": f"Спасибо! {NAME}"},
        headers=me,
    )
    assert feedback.status_code == 201, feedback.text
    # a past meetup's sign-in sheet names her
    start = datetime(2019, 3, 28, 11, 0, tzinfo=UTC)
    past = await events.post(
        "/api/v1/meetups",
        json=meetup_body(
            starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat()
        ),
        headers=STAFF,
    )
    past_id = past.json()["meetup_id"]

    async def import_sheet():
        r = await events.post(
            f"/api/v1/meetups/{past_id}/attendance/import",
            files={"file": ("sheet.csv", SHEET.encode(), "text/csv")},
            headers=STAFF,
        )
        assert r.status_code == 200, r.text
        return r.json()

    assert (await import_sheet())["recorded"] == 2
    await caught_up(events, spy)
    assert len(await traces_in(db)) >= 8, "her data is in every collection before"

    erased = PersonErased(person_id="p-maria", person_keys=[key])
    await publish(sandbox, erased)

    async def gone():
        return not await traces_in(db)

    await wait_until(gone, timeout=30)

    # what arrives later brings nothing back
    await publish(sandbox, PersonErased(person_id="p-maria", person_keys=[key]))
    again = await import_sheet()
    assert again["recorded"] == 0 and again["already_recorded"] == 2
    await db["attendances"].delete_many({"meetup_id": past_id})  # a sheet seen for the first time
    assert (await import_sheet())["recorded"] == 2
    fresh = (await scheduled_meetup(events))["meetup_id"]
    refused = await events.post(f"/api/v1/meetups/{fresh}/registrations", json=her(), headers=me)
    assert refused.status_code == 409 and refused.json()["error"]["reason"] == "erased"
    refused_page = await events.post(
        f"/meetups/{fresh}/register", data={**her(), "consent_personal_data": "yes"}, headers=me
    )
    assert refused_page.status_code == 409
    booked = await events.post(
        f"/api/v1/consultation-slots/{slots[2]['slot_id']}/booking",
        json={
            "organization_name": "АНО «Её»",
            "contact": {"name": NAME, "email": EMAIL},
            "consent_personal_data": True,
        },
        headers=me,
    )
    assert booked.status_code == 409 and booked.json()["error"]["field"] == "contact.email"

    await caught_up(events, spy)
    assert await traces_in(db) == []
    # the figures stay: her attendance and registration are still counted
    assert await db["attendances"].count_documents({"person_key": key}) == 2
    assert await db["registrations"].count_documents({"person_key": key}) == 2
    assert await db["erased_people"].count_documents({"_id": key}) == 1
    updated = [
        e for e in spy.of_type("events.meetup.updated") if e["data"]["meetup"]["meetup_id"] == mid
    ]
    assert updated and NAME not in json.dumps(updated[-1]["data"], ensure_ascii=False)
