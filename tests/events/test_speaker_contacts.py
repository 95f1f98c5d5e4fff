"""A speaker's personal data stays with staff. The contact e-mail: validated, kept from
every public answer (API, pages, calendars, the public events), carried to notifications
only by the personal-data event ``events.meetup.speakers_listed``, and removed by an
erasure. The person key: never in public output either; the public pages name the
speaker."""

from __future__ import annotations

from nkohub_contracts.registry import PersonErased
from nkohub_events.domain.erasure import ERASED
from nkohub_shared.privacy import person_key
from tests.events.conftest import STAFF, caught_up, meetup_body, publish, scheduled_meetup
from tests.support.broker import wait_until

EMAIL = "o.smirnova@example.org"
KEY = "speaker-person-key-0123456789"
PROGRAM = [
    {
        "kind": "talk",
        "title": "Городские субсидии",
        "speaker_name": "Ольга Смирнова",
        "speaker_email": EMAIL,
    },
    {"kind": "qa_session", "title": "Вопросы", "speaker_name": "Глава города"},
]


async def public_output(events, meetup_id: str) -> dict[str, str]:
    """What anyone gets without a token about the meetup: its API, pages and calendars."""
    texts = {}
    for path in (
        "/api/v1/meetups",
        f"/api/v1/meetups/{meetup_id}",
        f"/meetups/{meetup_id}",
        "/meetups",
        f"/api/v1/meetups/{meetup_id}/calendar.ics",
        "/api/v1/calendar.ics",
    ):
        r = await events.get(path)
        assert r.status_code == 200, (path, r.text)
        texts[path] = r.text
    return texts


async def test_a_bad_speaker_address_is_refused_naming_the_field(events):
    body = {"kind": "talk", "title": "Доклад", "speaker_email": "не адрес"}
    r = await events.post("/api/v1/meetups", json=meetup_body(program=[body]), headers=STAFF)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "program.0.speaker_email"


async def test_the_speaker_address_stays_with_staff_and_the_personal_event(events, spy):
    m = await scheduled_meetup(events, program=PROGRAM)
    mid = m["meetup_id"]
    for path, text in (await public_output(events, mid)).items():
        assert "smirnova" not in text.lower(), path
    staff = (await events.get(f"/api/v1/meetups/{mid}", headers=STAFF)).json()
    assert staff["program"][0]["speaker_email"] == EMAIL
    assert "speaker_email_key" not in staff["program"][0]
    assert "speaker_email" not in staff["program"][1]

    await caught_up(events, spy)
    public = [e for e in spy.events if e["type"].startswith("events.meetup.") and "data" in e]
    listed = spy.of_type("events.meetup.speakers_listed")
    assert all("smirnova" not in str(e).lower() for e in public if e not in listed)
    [event] = listed
    assert event["subject"] == mid
    assert event["data"]["status"] == "scheduled"
    assert event["data"]["speakers"] == [
        {
            "position": 1,
            "title": "Городские субсидии",
            "starts_at": None,
            "speaker_name": "Ольга Смирнова",
            "email": EMAIL,
        }
    ]
    # A change that is not the speakers' does not repeat the list; a new address does.
    r = await events.patch(f"/api/v1/meetups/{mid}", json={"title": "Новое"}, headers=STAFF)
    assert r.status_code == 200
    changed = [{**PROGRAM[0], "speaker_email": "olga@example.org"}, PROGRAM[1]]
    r = await events.patch(f"/api/v1/meetups/{mid}", json={"program": changed}, headers=STAFF)
    assert r.status_code == 200, r.text
    await caught_up(events, spy)
    listed = spy.of_type("events.meetup.speakers_listed")
    assert [e["data"]["speakers"][0]["email"] for e in listed] == [EMAIL, "olga@example.org"]


async def test_erasure_removes_the_speaker_address(events, sandbox, spy):
    m = await scheduled_meetup(events, program=PROGRAM)
    mid = m["meetup_id"]
    await publish(sandbox, PersonErased(person_id="p-1", person_keys=[person_key(EMAIL)]))
    db = events.app.state.runtime.db

    async def erased():
        doc = await db["meetups"].find_one({"_id": mid})
        return "speaker_email" not in doc["program"][0]

    await wait_until(erased)
    doc = await db["meetups"].find_one({"_id": mid})
    assert doc["program"][0]["speaker_name"] == ERASED
    assert "speaker_email_key" not in doc["program"][0]
    assert doc["program"][1]["speaker_name"] == "Глава города"
    assert "smirnova" not in str(doc).lower()
    await caught_up(events, spy)
    listed = spy.of_type("events.meetup.speakers_listed")
    assert listed[-1]["data"]["speakers"] == [], "notifications hears the address is gone"


async def test_the_speakers_person_key_stays_with_staff(events):
    program = [
        {
            "kind": "talk",
            "title": "Итоги",
            "speaker_name": "Глава города",
            "speaker_person_key": KEY,
        }
    ]
    mid = (await scheduled_meetup(events, program=program))["meetup_id"]
    texts = await public_output(events, mid)
    for path, text in texts.items():
        assert KEY not in text, path
    assert "Глава города" in texts[f"/meetups/{mid}"]
    staff = await events.get(f"/api/v1/meetups/{mid}", headers=STAFF)
    assert staff.json()["program"][0]["speaker_person_key"] == KEY
