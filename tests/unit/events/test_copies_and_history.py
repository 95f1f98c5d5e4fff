"""A copy of a meetup on a new date (``domain.copies``) and who did what
(``domain.audit``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkohub_events.domain import audit, copies
from nkohub_events.domain import meetups as rules
from nkohub_events.domain.erasure import ERASED
from nkohub_shared.errors import InvalidInput
from tests.unit.events.conftest import NOW, START, meetup_doc

NEW_START = datetime(2030, 6, 14, 15, 0)  # venue time (Europe/Samara, UTC+4)
DELTA = datetime(2030, 6, 14, 11, 0, tzinfo=UTC) - START


def source() -> dict:
    return meetup_doc(
        status="completed",
        description="Гранты и отчётность",
        reserved_seats=2,
        registration_opens_at=START - timedelta(days=10),
        registration_closes_at=START - timedelta(hours=1),
        waitlist_enabled=False,
        organizer_ids=["org-1"],
        partner_ids=["org-2"],
        topics=["гранты"],
        consultations_per_organization=3,
        program=[
            {
                "position": 1,
                "kind": "talk",
                "title": "Слово главы города",
                "starts_at": START,
                "speaker_name": "Глава города",
                "speaker_person_key": "key-head",
            },
            {
                "position": 2,
                "kind": "qa_session",
                "title": "Вопросы",
                "starts_at": START + timedelta(minutes=30),
                "speaker_name": ERASED,
                "speaker_person_key": "key-gone",
            },
            {"position": 3, "kind": "networking", "title": "Чай", "starts_at": None},
        ],
        confirmed=9,
        seats=["r1"],
        sequence=7,
        history=[audit.entry("anna", "created", NOW)],
    )


def test_the_delta_is_the_new_start_minus_the_old_in_the_venues_time():
    assert copies.delta_of(source(), NEW_START, NOW) == DELTA
    assert timedelta(days=78) == DELTA


def test_a_copy_starts_in_the_future():
    with pytest.raises(InvalidInput) as caught:
        copies.delta_of(source(), NOW - timedelta(minutes=1), NOW)
    assert caught.value.field == "starts_at"


def test_the_copy_takes_the_settings_and_moves_every_time_by_the_delta():
    fields = copies.meetup_fields(source(), DELTA)
    doc = rules.new_meetup("m2", fields, staff="boris", now=NOW, action="copied")
    assert doc["starts_at"] == START + DELTA
    assert doc["ends_at"] == START + timedelta(hours=2) + DELTA
    assert doc["registration_opens_at"] == START - timedelta(days=10) + DELTA
    assert doc["registration_closes_at"] == START - timedelta(hours=1) + DELTA
    assert (doc["title"], doc["description"], doc["capacity"], doc["reserved_seats"]) == (
        "Открытое общение",
        "Гранты и отчётность",
        10,
        2,
    )
    assert doc["venue"] == {
        "name": "ПНБ им. В.Г. Короленко",
        "address": "Глазов",
        "hall_capacity": 65,
    }
    assert (doc["waitlist_enabled"], doc["consultations_per_organization"]) == (False, 3)
    assert (doc["organizer_ids"], doc["partner_ids"], doc["topics"]) == (
        ["org-1"],
        ["org-2"],
        ["гранты"],
    )
    assert doc["program"] == [
        {
            "position": 1,
            "kind": "talk",
            "title": "Слово главы города",
            "starts_at": START + DELTA,
            "speaker_name": "Глава города",
            "speaker_person_key": "key-head",
        },
        {
            "position": 2,
            "kind": "qa_session",
            "title": "Вопросы",
            "starts_at": START + timedelta(minutes=30) + DELTA,
        },
        {"position": 3, "kind": "networking", "title": "Чай", "starts_at": None},
    ]


def test_the_copy_is_a_fresh_draft_with_an_empty_ledger_and_its_own_history():
    doc = rules.new_meetup(
        "m2", copies.meetup_fields(source(), DELTA), staff="boris", now=NOW, action="copied"
    )
    assert (doc["status"], doc["sequence"], doc["confirmed"], doc["waiting"]) == (
        "draft",
        0,
        0,
        0,
    )
    assert "seats" not in doc and "waitlist" not in doc, "the ledger is counters only"
    assert doc["history"] == [{"at": NOW, "actor": "boris", "action": "copied"}]
    assert "slug" not in doc and doc["recorded_after_the_fact"] is False


def test_slots_are_copied_free_with_their_specialists_and_moved():
    lawyer = {"_id": "s1", "name": "Юрист", "specialty": "lawyer"}
    erased = {"_id": "s2", "name": ERASED, "specialty": "pr", "erased": True}
    slots = [
        {
            "_id": "slot-1",
            "meetup_id": "m1",
            "specialist": lawyer,
            "starts_at": START,
            "duration_minutes": 30,
            "booking": {"consultation_id": "c1", "status": "completed"},
            "past_bookings": [{"consultation_id": "c0"}],
        },
        {
            "_id": "slot-2",
            "meetup_id": "m1",
            "specialist": erased,
            "starts_at": START,
            "duration_minutes": 20,
            "booking": None,
            "past_bookings": [],
        },
    ]
    out = copies.copied_slots(slots, {"_id": "m2"}, DELTA, ["n1", "n2"], NOW)
    assert out == [
        {
            "_id": "n1",
            "meetup_id": "m2",
            "specialist": lawyer,
            "starts_at": START + DELTA,
            "duration_minutes": 30,
            "booking": None,
            "past_bookings": [],
            "created_at": NOW,
            "copied_from": "slot-1",
        }
    ]


def test_history_entries_name_a_known_action_and_are_bounded():
    assert audit.entry("anna", "published", NOW) == {
        "at": NOW,
        "actor": "anna",
        "action": "published",
    }
    with pytest.raises(ValueError):
        audit.entry("anna", "deleted everything", NOW)
    history: list = []
    for i in range(audit.HISTORY_LIMIT + 5):
        history = audit.appended(history, audit.entry(f"u{i}", "updated", NOW))
    assert len(history) == audit.HISTORY_LIMIT
    assert history[0]["actor"] == "u5" and history[-1]["actor"] == f"u{audit.HISTORY_LIMIT + 4}"


def test_staff_see_the_history_and_the_public_never_does():
    m = meetup_doc(history=[audit.entry("anna", "created", NOW)], copied_from="m0")
    assert rules.staff_view(m, NOW)["history"] == [
        {"at": NOW, "actor": "anna", "action": "created"}
    ]
    assert rules.staff_view(m, NOW)["copied_from"] == "m0"
    public = rules.public_view(m, NOW)
    assert "history" not in public and "copied_from" not in public


def test_events_a_subscriber_wants_name_the_actor():
    before = meetup_doc(status="scheduled")
    after = {**before, "status": "cancelled"}
    event = rules.cancelled_event(before, after, None, "http://x", actor="anna")
    assert event is not None and event.actor == "anna"
    assert rules.scheduled_event(before, "http://x", actor="boris").actor == "boris"
    assert rules.scheduled_event(before, "http://x").actor is None
