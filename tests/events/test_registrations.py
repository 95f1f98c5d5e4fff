"""Registration: capacity, waitlist, duplicates, consent, cancellation with promotion,
check-in and no-shows, staff exports; every event checked on the real bus."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from tests.events.conftest import (
    STAFF,
    caught_up,
    move_to_past,
    person,
    registration_token,
    scheduled_meetup,
)


async def register(client, mid, i, **overrides):
    return await client.post(f"/api/v1/meetups/{mid}/registrations", json=person(i, **overrides))


async def test_register_confirms_and_the_same_email_gets_the_existing_one(events, spy):
    mid = (await scheduled_meetup(events))["meetup_id"]
    first = await register(events, mid, 1, mailing_consent=True)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "confirmed" and body["already_registered"] is False
    assert "person1@example.org" in body["message"]
    again = await register(events, mid, 1, email="  PERSON1@example.org ", name="Другое имя")
    assert again.status_code == 200
    assert again.json()["registration_id"] == body["registration_id"]
    assert again.json()["already_registered"] and "token" not in again.json()
    assert "status" not in again.json(), "someone else's place is the address owner's business"

    await caught_up(events, spy)
    confirmed = spy.of_type("events.registration.confirmed")
    assert len(confirmed) == 1, "the same address again told nobody anything"
    data = confirmed[0]["data"]
    assert data["registration_id"] == body["registration_id"]
    assert data["participant"]["email"] == "person1@example.org"
    assert data["participant"]["mailing_consent"] is True
    stored = await events.app.state.runtime.db["registrations"].find_one()
    assert data["short_code"] == stored["short_code"] and len(stored["short_code"]) == 6
    assert data["meetup"]["meetup_id"] == mid
    public = (await events.get(f"/api/v1/meetups/{mid}")).json()
    assert public["seats_taken"] == 1 and "person1" not in str(public)


async def test_bad_registrations_are_refused_and_nothing_is_stored(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    cases = {
        "consent_personal_data": person(1, consent_personal_data=False),
        "email": person(2, email="not-an-email"),
        "role": person(3, role="king"),
        "name": person(4, name=""),
        "organization_id": person(5, organization_id="unknown-org"),
        "organization_ogrn": person(6, organization_ogrn="123"),
        "consent_text_version": person(7, consent_text_version="1999"),
        "phone": person(8, phone="call me"),
    }
    for field, body in cases.items():
        r = await events.post(f"/api/v1/meetups/{mid}/registrations", json=body)
        assert 400 <= r.status_code < 500, (field, r.text)
        assert r.json()["error"]["field"] == field, r.json()
    r = await events.post("/api/v1/meetups/nope/registrations", json=person(9))
    assert r.status_code == 404 and r.json()["error"]["field"] == "meetup_id"
    db = events.app.state.runtime.db
    assert await db["registrations"].count_documents({}) == 0


async def test_registration_window_and_status_are_enforced(events):
    soon = datetime.now(UTC) + timedelta(days=2)
    m = await scheduled_meetup(
        events,
        registration_opens_at=(soon - timedelta(days=1)).isoformat(),
        registration_closes_at=(soon - timedelta(hours=5)).isoformat(),
        starts_at=soon.isoformat(),
        ends_at=(soon + timedelta(hours=2)).isoformat(),
    )
    r = await register(events, m["meetup_id"], 1)
    assert r.status_code == 409 and "not opened" in r.json()["error"]["message"]
    draft = await events.post(
        "/api/v1/meetups", json={**_body_of(m), "slug": "draft-one"}, headers=STAFF
    )
    r = await register(events, draft.json()["meetup_id"], 2)
    assert r.status_code == 404
    other = await scheduled_meetup(events)
    await events.post(f"/api/v1/meetups/{other['meetup_id']}/cancel", headers=STAFF)
    r = await register(events, other["meetup_id"], 3)
    assert r.status_code == 409 and r.json()["error"]["field"] == "meetup_id"
    assert await events.app.state.runtime.db["registrations"].count_documents({}) == 0


def _body_of(m):
    keep = ("title", "starts_at", "ends_at", "venue", "capacity")
    body = {k: m[k] for k in keep}
    body["venue"] = {k: v for k, v in body["venue"].items() if v is not None}
    return body


async def test_full_without_waitlist_is_a_clear_409(events):
    mid = (await scheduled_meetup(events, capacity=3, reserved_seats=1, waitlist_enabled=False))[
        "meetup_id"
    ]
    assert (await register(events, mid, 1)).status_code == 201
    assert (await register(events, mid, 2)).status_code == 201
    full = await register(events, mid, 3)
    assert full.status_code == 409 and full.json()["error"]["reason"] == "full"
    assert await events.app.state.runtime.db["registrations"].count_documents({}) == 2


async def test_cancel_by_token_promotes_the_first_waiting_at_once(events, spy):
    mid = (await scheduled_meetup(events, capacity=2))["meetup_id"]
    regs = [(await register(events, mid, i)).json() for i in range(5)]
    assert [r["status"] for r in regs] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r["position"] for r in regs[2:]] == [1, 2, 3]
    await spy.wait_for(lambda ev: len(spy.of_type("events.registration.waitlisted")) == 3)
    positions = {
        e["data"]["registration_id"]: e["data"]["position"]
        for e in spy.of_type("events.registration.waitlisted")
    }  # events of different registrations may leave in any order; each carries its place
    assert positions == {r["registration_id"]: r["position"] for r in regs[2:]}

    bad = await events.post(f"/api/v1/registrations/{regs[0]['registration_id']}/cancel?token=x")
    assert bad.status_code == 403 and bad.json()["error"]["field"] == "token"
    wrong = registration_token(regs[1]["registration_id"])  # worthless for another one
    bad = await events.post(
        f"/api/v1/registrations/{regs[0]['registration_id']}/cancel?token={wrong}"
    )
    assert bad.status_code == 403
    ok = await events.post(
        f"/api/v1/registrations/{regs[0]['registration_id']}/cancel"
        f"?token={registration_token(regs[0]['registration_id'])}"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"

    await spy.wait_for(
        lambda ev: (
            spy.of_type("events.registration.promoted")
            and spy.of_type("events.registration.cancelled")
        )
    )
    promoted = spy.of_type("events.registration.promoted")[0]["data"]
    assert promoted["registration_id"] == regs[2]["registration_id"]
    cancelled = spy.of_type("events.registration.cancelled")[0]["data"]
    assert (
        cancelled["cancelled_by"] == "participant" and cancelled["previous_status"] == "confirmed"
    )

    # staff cancel a waitlisted one: positions move up
    staff_cancel = await events.post(
        f"/api/v1/registrations/{regs[3]['registration_id']}/cancel", headers=STAFF
    )
    assert staff_cancel.status_code == 200
    last = await events.get(
        f"/api/v1/registrations/{regs[4]['registration_id']}"
        f"?token={registration_token(regs[4]['registration_id'])}"
    )
    assert last.json()["status"] == "waitlisted" and last.json()["position"] == 1
    listed = (
        await events.get(f"/api/v1/meetups/{mid}/registrations?status=confirmed", headers=STAFF)
    ).json()
    assert sorted(r["registration_id"] for r in listed) == sorted(
        [regs[1]["registration_id"], regs[2]["registration_id"]]
    )
    # more seats free the waitlist too
    await events.patch(f"/api/v1/meetups/{mid}", json={"capacity": 3}, headers=STAFF)
    last = await events.get(f"/api/v1/registrations/{regs[4]['registration_id']}", headers=STAFF)
    assert last.json()["status"] == "confirmed"


async def test_check_in_by_code_then_completion_marks_no_shows(events, spy):
    mid = (await scheduled_meetup(events, capacity=10))["meetup_id"]
    a = (await register(events, mid, "a", role="official")).json()
    b = (await register(events, mid, "b")).json()
    db = events.app.state.runtime.db
    a["short_code"] = (await db["registrations"].find_one({"_id": a["registration_id"]}))[
        "short_code"
    ]  # the door code is mailed; staff read it out at the door
    r = await events.post(
        f"/api/v1/meetups/{mid}/check-in", json={"short_code": a["short_code"].lower()}
    )
    assert r.status_code == 401
    r = await events.post(
        f"/api/v1/meetups/{mid}/check-in", json={"short_code": a["short_code"]}, headers=STAFF
    )
    assert r.status_code == 200 and r.json()["first_check_in"] is True
    again = await events.post(
        f"/api/v1/registrations/{a['registration_id']}/check-in", headers=STAFF
    )
    assert again.json()["first_check_in"] is False
    bad = await events.post(
        f"/api/v1/meetups/{mid}/check-in", json={"short_code": "ZZZZZZ"}, headers=STAFF
    )
    assert bad.status_code == 404 and bad.json()["error"]["field"] == "short_code"
    await caught_up(events, spy)
    att = spy.of_type("events.attendance.recorded")
    assert len(att) == 1, (
        "the second check-in recorded nothing" and att[0]["data"]["role"] == "official"
    )
    assert att[0]["data"]["registration_id"] == a["registration_id"]
    assert "email" not in str(att[0]["data"])

    early = await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert early.status_code == 409 and early.json()["error"]["field"] == "starts_at"
    await move_to_past(events, mid)
    done = await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    await spy.wait_for(lambda ev: spy.of_type("events.meetup.completed"))
    figures = spy.of_type("events.meetup.completed")[0]["data"]["figures"]
    assert figures == {
        "participants": 1,
        "attendances": 1,
        "organizations": 0,  # an official's organization is not an NGO taking part
        "consultations": 0,
        "registrations_confirmed": 2,
        "no_shows": 1,
    }
    no_shows = (
        await events.get(f"/api/v1/meetups/{mid}/registrations?status=no_show", headers=STAFF)
    ).json()
    assert [r["registration_id"] for r in no_shows] == [b["registration_id"]]
    late = await register(events, mid, "c")
    assert late.status_code == 409


async def test_staff_export_csv_and_xlsx_with_personal_data_only_for_staff(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    await register(events, mid, 1, phone="+7 912 000-00-00", organization_name="=HYPERLINK()")
    await register(events, mid, 2, role="media")
    assert (await events.get(f"/api/v1/meetups/{mid}/registrations")).status_code == 401
    r = await events.get(f"/api/v1/meetups/{mid}/registrations?format=csv", headers=STAFF)
    assert r.content.startswith("\ufeff".encode()) and r.content.count(b"\r\n") == 3
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [row["Электронная почта"] for row in rows] == [
        "person1@example.org",
        "person2@example.org",
    ]
    assert rows[0]["Организация"] == "'=HYPERLINK()" and rows[0]["Роль"] == "ngo_representative"
    r = await events.get(
        f"/api/v1/meetups/{mid}/registrations?format=xlsx&role=media", headers=STAFF
    )
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.values)
    assert values[0][4] == "Электронная почта" and values[1][4] == "person2@example.org"
    assert len(values) == 2
    found = await events.get(f"/api/v1/meetups/{mid}/registrations?q=участник 1", headers=STAFF)
    assert [x["email"] for x in found.json()] == ["person1@example.org"]
