"""What erasure changes in the copies it cannot reach with one update: cancelled bookings
(by position) and program speakers."""

from __future__ import annotations

from nkohub_events.domain import erasure as rules


def test_cancelled_bookings_of_erased_people_lose_contact_and_question():
    past = [
        {
            "consultation_id": "c1",
            "contact": {"person_key": "k1", "name": "Мария"},
            "question": "?",
        },
        {"consultation_id": "c2", "contact": {"person_key": "k2", "name": "Пётр"}, "question": "?"},
        {"consultation_id": "c3", "contact": None, "question": None},
    ]
    erased = rules.erased_past_bookings(past, {"k1"})
    assert list(erased) == [0]
    assert erased[0]["contact"] == {"person_key": "k1", **rules.ERASED_CONTACT}
    assert erased[0]["question"] is None and erased[0]["consultation_id"] == "c1"
    assert rules.erased_past_bookings([erased[0]], {"k1"}) == {}, "erasing twice changes nothing"


def test_program_speakers_of_erased_people_lose_their_names_only():
    program = [
        {"position": 1, "title": "Гранты", "speaker_name": "Мария", "speaker_person_key": "k1"},
        {"position": 2, "title": "Отчёты", "speaker_name": "Пётр", "speaker_person_key": "k2"},
    ]
    assert rules.erased_speaker_names(program, {"k1"}) == ["Мария"]
    after = rules.erased_program(program, {"k1"})
    assert [p["speaker_name"] for p in after] == [rules.ERASED, "Пётр"]
    assert after[0]["speaker_person_key"] == "k1" and after[0]["title"] == "Гранты"
    assert rules.erased_program(after, {"k1"}) is None
    assert rules.erased_speaker_names(after, {"k1"}) == []
