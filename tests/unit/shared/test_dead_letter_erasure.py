"""Which dead letters name an erased person (``mentions_person``)."""

from __future__ import annotations

import json

from nkohub_shared.bus.deadletters import DeadLetter, Selection, mentions_person
from nkohub_shared.privacy import person_key

EMAIL = "Olga.Stertaya@example.org"


def envelope(data: dict) -> bytes:
    return json.dumps({"id": "e1", "type": "events.registration.confirmed", "data": data}).encode()


def test_an_address_anywhere_in_the_event_names_the_person_in_any_letter_case() -> None:
    keys = frozenset({person_key(EMAIL)})
    assert mentions_person(envelope({"registration": {"email": EMAIL.upper()}}), keys)
    assert mentions_person(envelope({"list": [{"to": [EMAIL]}]}), keys)


def test_a_person_key_field_names_the_person() -> None:
    key = person_key(EMAIL)
    assert mentions_person(envelope({"person_key": key}), frozenset({key}))


def test_other_people_and_other_values_do_not() -> None:
    keys = frozenset({person_key(EMAIL)})
    assert not mentions_person(envelope({"email": "someone.else@example.org"}), keys)
    assert not mentions_person(envelope({"name": "Ольга", "n": 3, "ok": True}), keys)


def test_a_body_that_is_not_json_is_searched_as_text() -> None:
    keys = frozenset({person_key(EMAIL)})
    assert mentions_person(f"broken {{ <{EMAIL}>; rest".encode(), keys)
    assert not mentions_person(b"broken { no address here", keys)
    assert not mentions_person(b"\xff\xfe" + b"a" * 10_000, keys)


def test_a_selection_by_person_combines_with_the_type() -> None:
    keys = frozenset({person_key(EMAIL)})
    letter = DeadLetter(
        message_id="e1",
        event_type="events.registration.confirmed",
        source_queue="notifications.meetups",
        reason="rejected",
        died_at=None,
        body=envelope({"email": EMAIL}),
        headers={},
        content_type=None,
    )
    assert Selection(person_keys=keys).matches(letter)
    assert not Selection(person_keys=keys, event_type="events.meetup.published").matches(letter)
    assert not Selection(person_keys=frozenset({"other"})).matches(letter)
    assert Selection().matches(letter)
