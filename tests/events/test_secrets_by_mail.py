"""Whoever types an address may not own it: the answers to registration and booking (API
and pages) say where the mail went and hand out no code, token or link — those reach the
address only (the events the notifications service mails from)."""

from __future__ import annotations

from tests.events.conftest import (
    consultation_token,
    person,
    registration_token,
    scheduled_meetup,
)
from tests.events.test_consultations import booking, slots_for, specialist

SECRET_KEYS = {"token", "short_code", "cancel_url", "feedback_url"}


async def test_registration_answers_carry_no_secret_and_the_event_does(events, spy):
    mid = (await scheduled_meetup(events))["meetup_id"]
    db = events.app.state.runtime.db
    api = await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))
    assert api.status_code == 201, api.text
    rid = api.json()["registration_id"]
    stored = await db["registrations"].find_one({"_id": rid})
    assert not SECRET_KEYS & set(api.json())
    assert registration_token(rid) not in api.text and stored["short_code"] not in api.text
    assert "person1@example.org" in api.json()["message"]

    page = await events.post(
        f"/meetups/{mid}/register",
        data={**person(2), "consent_personal_data": "yes"},
    )
    assert page.status_code == 201 and "Вы зарегистрированы" in page.text
    other = await db["registrations"].find_one({"email": "person2@example.org"})
    assert registration_token(other["_id"]) not in page.text
    assert other["short_code"] not in page.text and "/cancel" not in page.text

    await spy.wait_for(lambda ev: len(spy.of_type("events.registration.confirmed")) == 2)
    codes = {e["data"]["short_code"] for e in spy.of_type("events.registration.confirmed")}
    assert codes == {stored["short_code"], other["short_code"]}, "the mail carries the code"


async def test_booking_answers_carry_no_cancel_token(events):
    meetup = await scheduled_meetup(events)
    s = await specialist(events)
    slots = await slots_for(events, meetup, s["specialist_id"], 2)
    api = await events.post(
        f"/api/v1/consultation-slots/{slots[0]['slot_id']}/booking", json=booking(1)
    )
    assert api.status_code == 201, api.text
    cid = api.json()["consultation_id"]
    assert not SECRET_KEYS & set(api.json()) and consultation_token(cid) not in api.text
    assert "ngo1@example.org" in api.json()["message"]

    page = await events.post(
        f"/meetups/{meetup['meetup_id']}/consultations",
        data={
            "slot_id": slots[1]["slot_id"],
            "organization_name": "НКО 2",
            "contact_name": "Контакт 2",
            "contact_email": "ngo2@example.org",
            "consent_personal_data": "yes",
        },
    )
    assert page.status_code == 201 and "Вы записаны" in page.text
    slot = await events.app.state.runtime.db["slots"].find_one({"_id": slots[1]["slot_id"]})
    other = slot["booking"]["consultation_id"]
    assert consultation_token(other) not in page.text and "/cancel" not in page.text
