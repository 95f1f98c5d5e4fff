"""What the staff console needs of the events service: who did what (history on the
record, ``actor`` in the events), copying a meetup to a new date, and the door (search by
name, walk-ins checked in at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.events.conftest import (
    STAFF,
    meetup_body,
    person,
    registration_token,
    scheduled_meetup,
)
from tests.events.test_consultations import booking, slots_for, specialist
from tests.support.inprocess import staff_headers

ANNA = staff_headers(sub="anna")
BORIS = staff_headers(sub="boris")


def actions(history: list[dict]) -> list[tuple[str, str]]:
    return [(e["actor"], e["action"]) for e in history]


async def test_every_staff_write_on_a_meetup_records_its_actor(events, spy):
    created = await events.post("/api/v1/meetups", json=meetup_body(), headers=ANNA)
    mid = created.json()["meetup_id"]
    assert actions(created.json()["history"]) == [("anna", "created")]
    assert await events.patch(f"/api/v1/meetups/{mid}", json={"capacity": 60}, headers=BORIS)
    unchanged = await events.patch(f"/api/v1/meetups/{mid}", json={"capacity": 60}, headers=ANNA)
    assert unchanged.status_code == 200
    await events.post(f"/api/v1/meetups/{mid}/publish", headers=BORIS)
    await events.post(f"/api/v1/meetups/{mid}/publish", headers=ANNA)  # repeated: no entry
    await events.post(f"/api/v1/meetups/{mid}/cancel", json={"reason": "ремонт"}, headers=ANNA)

    staff = (await events.get(f"/api/v1/meetups/{mid}", headers=STAFF)).json()
    assert actions(staff["history"]) == [
        ("anna", "created"),
        ("boris", "updated"),
        ("boris", "published"),
        ("anna", "cancelled"),
    ]
    assert all(datetime.fromisoformat(e["at"]).tzinfo for e in staff["history"])
    public = await events.get(f"/api/v1/meetups/{mid}")
    assert public.status_code == 200 and "history" not in public.json()
    assert "anna" not in public.text and "boris" not in public.text
    listed = (await events.get("/api/v1/meetups")).json()
    assert listed and all("history" not in m for m in listed)

    await spy.wait_for(lambda ev: spy.of_type("events.meetup.cancelled"))
    assert spy.of_type("events.meetup.scheduled")[0]["data"]["actor"] == "boris"
    assert spy.of_type("events.meetup.cancelled")[0]["data"]["actor"] == "anna"


async def test_the_completion_event_names_who_closed_the_meetup(events, spy):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    body = meetup_body(
        starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat()
    )
    mid = (await events.post("/api/v1/meetups", json=body, headers=ANNA)).json()["meetup_id"]
    done = await events.post(f"/api/v1/meetups/{mid}/complete", headers=BORIS)
    assert done.status_code == 200, done.text
    assert actions(done.json()["history"]) == [("anna", "created"), ("boris", "completed")]
    await spy.wait_for(lambda ev: spy.of_type("events.meetup.completed"))
    assert spy.of_type("events.meetup.completed")[0]["data"]["actor"] == "boris"


async def test_a_copy_moves_program_slots_and_settings_and_leaves_the_people(events):
    start = datetime(2031, 3, 28, 11, 0, tzinfo=UTC)  # 15:00 in Glazov
    body = meetup_body(
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=3)).isoformat(),
        capacity=40,
        reserved_seats=5,
        waitlist_enabled=False,
        registration_closes_at=(start - timedelta(hours=2)).isoformat(),
        consultations_per_organization=1,
        program=[
            {"kind": "talk", "title": "Итоги", "starts_at": start.isoformat()},
            {
                "kind": "consultation_block",
                "title": "Консультации",
                "starts_at": (start + timedelta(hours=1)).isoformat(),
                "speaker_name": "Иванова И.И.",
            },
        ],
    )
    source = await scheduled_meetup(events, **body)
    sid = source["meetup_id"]
    lawyer = await specialist(events)
    slots = await slots_for(events, source, lawyer["specialist_id"], 2)
    booked = await events.post(
        f"/api/v1/consultation-slots/{slots[0]['slot_id']}/booking", json=booking(1)
    )
    assert booked.status_code == 201, booked.text
    for i in (1, 2):
        r = await events.post(f"/api/v1/meetups/{sid}/registrations", json=person(i))
        assert r.status_code == 201, r.text
    rid = r.json()["registration_id"]
    question = await events.post(
        f"/api/v1/meetups/{sid}/questions",
        json={"registration_id": rid, "token": registration_token(rid), "text": "Когда конкурс?"},
    )
    assert question.status_code == 201, question.text

    copied = await events.post(
        f"/api/v1/meetups/{sid}/copy",
        json={"starts_at": "2031-06-14T15:00:00+04:00"},
        headers=BORIS,
    )
    assert copied.status_code == 201, copied.text
    copy = copied.json()
    delta = timedelta(days=78)
    assert copy["meetup_id"] != sid and copy["status"] == "draft"
    assert copy["slug"] == "otkrytoe-obshchenie-granty-2031-06-14"
    assert copy["copied_from"] == sid
    assert actions(copy["history"]) == [("boris", "copied")]
    assert datetime.fromisoformat(copy["starts_at"]) == start + delta
    assert datetime.fromisoformat(copy["ends_at"]) == start + timedelta(hours=3) + delta
    assert datetime.fromisoformat(copy["registration_closes_at"]) == (
        start - timedelta(hours=2) + delta
    )
    assert (copy["capacity"], copy["reserved_seats"], copy["waitlist_enabled"]) == (40, 5, False)
    assert copy["consultations_per_organization"] == 1
    assert (copy["title"], copy["description"], copy["venue"], copy["topics"]) == (
        source["title"],
        source["description"],
        source["venue"],
        source["topics"],
    )
    assert [(p["title"], datetime.fromisoformat(p["starts_at"])) for p in copy["program"]] == [
        ("Итоги", start + delta),
        ("Консультации", start + timedelta(hours=1) + delta),
    ]
    assert copy["program"][1]["speaker_name"] == "Иванова И.И."
    assert (copy["seats_taken"], copy["waitlist_length"], copy["sequence"]) == (0, 0, 0)

    copy_slots = (
        await events.get(f"/api/v1/meetups/{copy['meetup_id']}/consultation-slots", headers=STAFF)
    ).json()
    assert [
        (datetime.fromisoformat(s["starts_at"]), s["duration_minutes"]) for s in copy_slots
    ] == [(datetime.fromisoformat(s["starts_at"]) + delta, 10) for s in slots]
    assert {s["specialist"]["specialist_id"] for s in copy_slots} == {lawyer["specialist_id"]}
    assert all(s["booking"] is None for s in copy_slots)

    db = events.app.state.runtime.db
    assert await db["registrations"].count_documents({"meetup_id": copy["meetup_id"]}) == 0
    assert await db["questions"].count_documents({"meetup_id": copy["meetup_id"]}) == 0
    assert await db["registrations"].count_documents({"meetup_id": sid}) == 2  # the source keeps


async def test_copy_refusals_name_the_field(events):
    source = await scheduled_meetup(events)
    sid = source["meetup_id"]
    unknown = await events.post(
        "/api/v1/meetups/nope/copy", json={"starts_at": "2031-06-14T15:00:00+04:00"}, headers=STAFF
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "meetup_id"
    past = await events.post(
        f"/api/v1/meetups/{sid}/copy",
        json={"starts_at": "2020-06-14T15:00:00+04:00"},
        headers=STAFF,
    )
    assert past.status_code == 422 and past.json()["error"]["field"] == "starts_at"
    garbage = await events.post(
        f"/api/v1/meetups/{sid}/copy", json={"starts_at": "завтра"}, headers=STAFF
    )
    assert garbage.status_code == 422 and garbage.json()["error"]["field"] == "starts_at"
    missing = await events.post(f"/api/v1/meetups/{sid}/copy", json={}, headers=STAFF)
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "starts_at"
    anonymous = await events.post(
        f"/api/v1/meetups/{sid}/copy", json={"starts_at": "2031-06-14T15:00:00+04:00"}
    )
    assert anonymous.status_code == 401
    assert await events.app.state.runtime.db["meetups"].count_documents({}) == 1


async def test_the_door_finds_people_by_name_bounded(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    names = ["Ёлкина Анна", "Елкин Пётр", "Сидоров Иван"]
    for i, name in enumerate(names):
        r = await events.post(
            f"/api/v1/meetups/{mid}/registrations", json=person(i, name=name), headers=STAFF
        )
        assert r.status_code == 201, r.text
    url = f"/api/v1/meetups/{mid}/registrations"
    found = (await events.get(url, params={"q": "ЕЛКИН"}, headers=STAFF)).json()
    assert [r["name"] for r in found] == ["Ёлкина Анна", "Елкин Пётр"]
    assert all(r["short_code"] and r["status"] == "confirmed" for r in found)
    one = (await events.get(url, params={"q": "елкин", "limit": 1}, headers=STAFF)).json()
    assert [r["name"] for r in one] == ["Ёлкина Анна"]
    by_org = (await events.get(url, params={"q": "проект 2"}, headers=STAFF)).json()
    assert [r["name"] for r in by_org] == ["Сидоров Иван"]
    assert (await events.get(url, params={"q": "елкин"})).status_code == 401
    too_many = await events.get(url, params={"q": "а", "limit": 501}, headers=STAFF)
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "limit"
    # a staff registration says who registered the person
    assert actions(found[0]["history"]) == [("librarian", "registered")]


async def test_a_walk_in_is_registered_and_checked_in_at_once(events, spy):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)  # it has begun
    meetup = await scheduled_meetup(events, capacity=1)
    mid = meetup["meetup_id"]
    taken = await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))
    assert taken.json()["status"] == "confirmed"  # the one seat open to registration
    moved = await events.patch(
        f"/api/v1/meetups/{mid}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()},
        headers=STAFF,
    )
    assert moved.status_code == 200 and not moved.json()["registration_open"]

    walk_in = {
        "name": "Петрова Мария",
        "role": "activist",
        "organization_name": "Клуб «Шахматы»",
        "consent_personal_data": True,
        "checked_in": True,
    }
    url = f"/api/v1/meetups/{mid}/registrations"
    came = await events.post(url, json=walk_in, headers=ANNA)
    assert came.status_code == 201, came.text
    r = came.json()
    assert (r["status"], r["walk_in"], r["first_check_in"], r["email"]) == (
        "confirmed",
        True,
        True,
        None,
    )
    assert r["checked_in_at"] is not None and len(r["short_code"]) == 6
    assert actions(r["history"]) == [("anna", "walked_in"), ("anna", "checked_in")]
    db = events.app.state.runtime.db
    attendance = await db["attendances"].find_one({"registration_id": r["registration_id"]})
    assert attendance["name"] == "Петрова Мария" and attendance["role"] == "activist"

    # with an address registered already: that registration, checked in
    again = await events.post(
        url, json={**walk_in, "name": "Участник 1", "email": "person1@example.org"}, headers=BORIS
    )
    assert again.status_code == 200, again.text
    assert again.json()["registration_id"] == taken.json()["registration_id"]
    assert actions(again.json()["history"]) == [("boris", "checked_in")]

    # with a new address: confirmed (the mail carries the feedback link) and checked in
    mailed = await events.post(
        url, json={**walk_in, "name": "Иванов Олег", "email": "oleg@example.org"}, headers=BORIS
    )
    assert mailed.status_code == 201 and mailed.json()["first_check_in"] is True
    await spy.wait_for(
        lambda ev: any(
            e["data"]["participant"]["email"] == "oleg@example.org"
            for e in spy.of_type("events.registration.confirmed")
        )
    )
    await spy.wait_for(lambda ev: len(spy.of_type("events.attendance.recorded")) == 3)
    names = {e["data"]["participant"]["name"] for e in spy.of_type("events.registration.confirmed")}
    assert "Петрова Мария" not in names  # no address: nobody to mail

    staff = (await events.get(f"/api/v1/meetups/{mid}", headers=STAFF)).json()
    assert staff["seats_taken"] == 1  # the walk-ins came in over the seats open to registration
    checked = (await events.get(url, params={"q": "петрова"}, headers=STAFF)).json()
    assert [c["registration_id"] for c in checked] == [r["registration_id"]]


async def test_walk_in_refusals(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    url = f"/api/v1/meetups/{mid}/registrations"
    body = {"name": "Гость", "role": "other", "consent_personal_data": True, "checked_in": True}
    public = await events.post(url, json=body)
    assert public.status_code == 403 and public.json()["error"]["field"] == "checked_in"
    no_consent = await events.post(
        url, json={**body, "consent_personal_data": False}, headers=STAFF
    )
    assert no_consent.status_code == 422
    assert no_consent.json()["error"]["field"] == "consent_personal_data"
    no_address = await events.post(url, json={**body, "checked_in": False}, headers=STAFF)
    assert no_address.status_code == 422 and no_address.json()["error"]["field"] == "email"
    draft = (await events.post("/api/v1/meetups", json=meetup_body(), headers=STAFF)).json()
    closed = await events.post(
        f"/api/v1/meetups/{draft['meetup_id']}/registrations", json=body, headers=STAFF
    )
    # staff see their draft: not "no such meetup" but "not open at the door" (the console
    # then records who came with a sign-in sheet)
    assert closed.status_code == 409 and closed.json()["error"]["field"] == "meetup_id"
    unknown = await events.post("/api/v1/meetups/nope/registrations", json=body, headers=STAFF)
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "meetup_id"
    assert await events.app.state.runtime.db["registrations"].count_documents({}) == 0


async def test_question_moderation_records_who_approved_and_answered(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    rid = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()[
        "registration_id"
    ]
    asked = await events.post(
        f"/api/v1/meetups/{mid}/questions",
        json={"registration_id": rid, "token": registration_token(rid), "text": "Когда отчёт?"},
    )
    qid = asked.json()["question_id"]
    assert (await events.post(f"/api/v1/questions/{qid}/approve", headers=ANNA)).is_success
    answered = await events.post(
        f"/api/v1/questions/{qid}/answer", json={"answer": "До 15 апреля."}, headers=BORIS
    )
    assert answered.status_code == 200, answered.text
    assert actions(answered.json()["history"]) == [("anna", "approved"), ("boris", "answered")]
    public = (await events.get(f"/api/v1/meetups/{mid}/questions")).json()
    assert public and all("history" not in q for q in public)
