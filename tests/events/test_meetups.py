"""Meetups: staff CRUD, life cycle and its events on the real bus, bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.events.conftest import STAFF, meetup_body, scheduled_meetup


async def count(client, sandbox) -> int:
    return await client.app.state.runtime.db["meetups"].count_documents({})


async def test_life_cycle_publishes_snapshots_with_growing_sequence(events, spy):
    created = await events.post("/api/v1/meetups", json=meetup_body(), headers=STAFF)
    assert created.status_code == 201
    meetup = created.json()
    assert meetup["status"] == "draft" and meetup["slug"].startswith("otkrytoe-obshchenie-granty")
    mid = meetup["meetup_id"]
    assert (await events.get(f"/api/v1/meetups/{mid}")).status_code == 404  # drafts are private
    assert (await events.post(f"/api/v1/meetups/{mid}/publish", headers=STAFF)).status_code == 200

    scheduled = await spy.wait_for(lambda ev: spy.of_type("events.meetup.scheduled"))
    data = spy.of_type("events.meetup.scheduled")[0]["data"]
    assert data["meetup"]["meetup_id"] == mid and data["meetup"]["sequence"] == 0
    assert data["meetup"]["venue"]["name"] == "ПНБ им. В.Г. Короленко"
    assert scheduled

    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=8)
    patched = await events.patch(
        f"/api/v1/meetups/{mid}",
        json={
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=2)).isoformat(),
            "venue": {"name": "Зал 2", "address": "Глазов, ул. Мира"},
        },
        headers=STAFF,
    )
    assert patched.status_code == 200, patched.text
    await spy.wait_for(lambda ev: spy.of_type("events.meetup.updated"))
    updated = spy.of_type("events.meetup.updated")[0]["data"]
    assert updated["changed"] == ["ends_at", "starts_at", "venue"]
    assert updated["meetup"]["sequence"] == 1 and updated["meetup"]["venue"]["name"] == "Зал 2"

    public = (await events.get(f"/api/v1/meetups/{mid}")).json()
    assert public["seats_free"] == 65 and "created_by" not in public

    cancelled = await events.post(
        f"/api/v1/meetups/{mid}/cancel", json={"reason": "болезнь"}, headers=STAFF
    )
    assert cancelled.json()["status"] == "cancelled"
    await spy.wait_for(lambda ev: spy.of_type("events.meetup.cancelled"))
    data = spy.of_type("events.meetup.cancelled")[0]["data"]
    assert data["reason"] == "болезнь" and data["meetup"]["sequence"] == 2
    again = await events.post(f"/api/v1/meetups/{mid}/publish", headers=STAFF)
    assert again.status_code == 409


async def test_naive_times_are_glazov_local_and_stored_in_utc(events):
    body = meetup_body(starts_at="2030-03-28T15:00:00", ends_at="2030-03-28T17:00:00")
    m = (await events.post("/api/v1/meetups", json=body, headers=STAFF)).json()
    assert m["starts_at"].startswith("2030-03-28T11:00:00")
    assert m["timezone"] == "Europe/Samara"


async def test_bad_meetups_are_refused_naming_the_field_and_nothing_is_stored(events, sandbox):
    start = datetime.now(UTC) + timedelta(days=3)
    cases = {
        "ends_at": meetup_body(ends_at=(start - timedelta(hours=1)).isoformat()),
        "capacity": meetup_body(capacity=0),
        "reserved_seats": meetup_body(capacity=10, reserved_seats=10),
        "starts_at": meetup_body(starts_at="вчера"),
        "registration_closes_at": meetup_body(
            registration_opens_at=(start - timedelta(days=1)).isoformat(),
            registration_closes_at=(start - timedelta(days=2)).isoformat(),
        ),
        "timezone": meetup_body(timezone="Mars/Olympus"),
        "kind": meetup_body(kind="party"),
        "title": meetup_body(title=""),
    }
    over_hall = meetup_body(capacity=80)
    cases["capacity "] = over_hall
    for field, body in cases.items():
        r = await events.post("/api/v1/meetups", json=body, headers=STAFF)
        assert 400 <= r.status_code < 500, (field, r.text)
        assert r.json()["error"]["field"].startswith(field.strip()), (field, r.json())
    assert await count(events, sandbox) == 0
    assert (await events.post("/api/v1/meetups", json=meetup_body())).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    public_with_a_bad_token = await events.get("/api/v1/meetups", headers=forged)
    assert public_with_a_bad_token.status_code == 401, "a bad token is refused, never ignored"
    assert (await events.get("/api/v1/meetups/nope")).status_code == 404
    assert (await events.post("/api/v1/meetups/nope/publish", headers=STAFF)).status_code == 404
    assert await count(events, sandbox) == 0


async def test_capacity_cannot_drop_below_confirmed_and_public_list(events):
    m = await scheduled_meetup(events, capacity=3)
    mid = m["meetup_id"]
    for i in range(2):
        body = {
            "name": f"N{i}",
            "email": f"n{i}@example.org",
            "role": "activist",
            "consent_personal_data": True,
        }
        assert (await events.post(f"/api/v1/meetups/{mid}/registrations", json=body)).is_success
    r = await events.patch(f"/api/v1/meetups/{mid}", json={"capacity": 1}, headers=STAFF)
    assert r.status_code == 409 and r.json()["error"]["field"] == "capacity"
    r = await events.patch(f"/api/v1/meetups/{mid}", json={"capacity": None}, headers=STAFF)
    assert r.status_code == 422 and r.json()["error"]["field"] == "capacity"
    listed = (await events.get("/api/v1/meetups?upcoming=true")).json()
    assert [x["meetup_id"] for x in listed] == [mid]
    assert listed[0]["seats_taken"] == 2 and listed[0]["seats_free"] == 1


async def test_asyncapi_lists_what_the_service_publishes_and_consumes(events):
    doc = (await events.get("/asyncapi.json")).json()
    text = str(doc)
    for event_type in (
        "events.registration.promoted",
        "events.meetup.completed",
        "events.registry",  # the consumer queues
        "events.publishing",
    ):
        assert event_type in text, event_type


async def test_a_list_for_days_no_calendar_can_place_is_a_422(events):
    # found by fuzzing: `from=0246-11-14` was a 500
    for query in ("from=0246-11-14", "to=9999-12-31"):
        refused = await events.get(f"/api/v1/meetups?{query}")
        assert refused.status_code == 422, (query, refused.text)
        assert refused.json()["error"]["field"] == query.split("=")[0]
    assert (await events.get("/api/v1/meetups?from=2019-01-01&to=2019-12-31")).status_code == 200
