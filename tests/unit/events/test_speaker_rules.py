"""The speakers' contact rules: never public, listed only when it matters, erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nkohub_events.domain.erasure import ERASED, erased_program
from nkohub_events.domain.meetups import public_program
from nkohub_events.domain.speakers import listed_event, with_email_key
from nkohub_shared.privacy import person_key

START = datetime(2026, 4, 16, 14, 0, tzinfo=UTC)
ITEM = with_email_key(
    {
        "position": 1,
        "kind": "talk",
        "title": "Доклад",
        "speaker_name": "Ольга",
        "speaker_email": "o@example.org",
    }
)


def meetup(status: str = "scheduled", program=None, starts_at=START) -> dict:
    return {"_id": "m-1", "status": status, "starts_at": starts_at, "program": program or [ITEM]}


def test_the_address_and_its_key_never_reach_the_public_program():
    assert ITEM["speaker_email_key"] == person_key("o@example.org")
    assert public_program([ITEM]) == [
        {"position": 1, "kind": "talk", "title": "Доклад", "speaker_name": "Ольга"}
    ]
    assert "speaker_email" not in with_email_key({**ITEM, "speaker_email": None})


def test_a_list_is_published_when_announced_and_when_it_start_or_status_changes():
    assert listed_event(meetup("draft"), meetup("draft")) is None, "a draft: nobody heard"
    first = listed_event(meetup("draft"), meetup())
    assert first is not None and [s.email for s in first.speakers] == ["o@example.org"]
    assert listed_event(meetup(), meetup()) is None, "nothing changed"
    moved = listed_event(meetup(), meetup(starts_at=START + timedelta(days=1)))
    assert moved is not None and moved.starts_at == START + timedelta(days=1)
    cancelled = listed_event(meetup(), meetup("cancelled"))
    assert cancelled is not None and cancelled.status == "cancelled"
    no_address = {**ITEM, "speaker_email": None}
    assert listed_event(meetup("draft"), meetup(program=[no_address])) is None
    gone = listed_event(meetup(), meetup(program=[no_address]))
    assert gone is not None and gone.speakers == [], "the address removed: the list says so"


def test_erasure_by_the_address_key_removes_address_and_name():
    [erased] = erased_program([ITEM], {person_key("o@example.org")})
    assert erased["speaker_name"] == ERASED
    assert "speaker_email" not in erased and "speaker_email_key" not in erased
    assert erased_program([erased], {person_key("o@example.org")}) is None, "twice: no change"
