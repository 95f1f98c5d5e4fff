"""Public output of meetups (API, pages, calendars) names speakers but never their person
key; staff still see it."""

from __future__ import annotations

from tests.events.conftest import STAFF, scheduled_meetup

KEY = "speaker-person-key-0123456789"


async def test_the_speakers_person_key_stays_with_staff(events):
    program = [
        {
            "kind": "talk",
            "title": "Итоги",
            "speaker_name": "Глава города",
            "speaker_person_key": KEY,
        }
    ]
    m = await scheduled_meetup(events, program=program)
    mid = m["meetup_id"]
    for path in (
        "/api/v1/meetups",
        f"/api/v1/meetups/{mid}",
        f"/meetups/{mid}",
        "/meetups",
        f"/api/v1/meetups/{mid}/calendar.ics",
        "/api/v1/calendar.ics",
    ):
        r = await events.get(path)
        assert r.status_code == 200, (path, r.text)
        assert KEY not in r.text, path
    page = await events.get(f"/meetups/{mid}")
    assert "Глава города" in page.text
    staff = await events.get(f"/api/v1/meetups/{mid}", headers=STAFF)
    assert staff.json()["program"][0]["speaker_person_key"] == KEY
