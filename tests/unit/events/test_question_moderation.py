"""Questions moderation and feedback rules of ``domain.questions``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nkohub_events.domain import questions as rules
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from tests.unit.events.conftest import NOW, START, meetup_doc, registration_doc


def question(qid="q1", status="submitted", **extra):
    return {"_id": qid, "meetup_id": "m1", "text": "Когда грант?", "status": status, **extra}


def ask(**overrides):
    data = {"registration_id": "r1", "token": "t", "text": "Когда грант?"}
    data.update(overrides)
    return rules.QuestionIn.model_validate(data)


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("approve", {"submitted", "rejected"}),
        ("reject", {"submitted", "approved"}),
        ("merge", {"submitted", "approved"}),
        ("answer", {"approved"}),
    ],
)
def test_which_status_each_moderation_moves_from(action, allowed):
    for status in rules.ALL_STATUSES:
        q = question(status=status)
        if status in allowed:
            rules.require_move(q, action)
        else:
            with pytest.raises(Conflict) as caught:
                rules.require_move(q, action)
            assert caught.value.field == "status"
            assert caught.value.message == f"the question is {status}"


def test_approval_may_correct_the_text_and_keeps_the_original():
    fields = rules.approval(question(), "Когда будет грант?", NOW)
    assert fields == {
        "status": "approved",
        "moderated_at": NOW,
        "text": "Когда будет грант?",
        "original_text": "Когда грант?",
    }
    assert rules.approval(question(), "Когда грант?", NOW) == {
        "status": "approved",
        "moderated_at": NOW,
    }


def test_merging_goes_into_another_live_question_of_the_same_meetup():
    q = question()
    with pytest.raises(InvalidInput) as caught:
        rules.check_merge(q, q)
    assert caught.value.field == "into"
    with pytest.raises(NotFound):
        rules.check_merge(q, None)
    with pytest.raises(NotFound):
        rules.check_merge(q, question("q2", meetup_id="m2"))
    with pytest.raises(Conflict) as caught:
        rules.check_merge(q, question("q2", status="rejected"))
    assert caught.value.message == "the target question is rejected"
    rules.check_merge(q, question("q2", status="approved"))
    assert rules.merger(q, "q2", NOW)["merged_into"] == "q2"


def test_an_answer_carries_its_event():
    fields, event = rules.answering(question(status="approved", addressed_to="Глава"), "Да", NOW)
    assert fields == {"status": "answered", "answer": "Да", "answered_at": NOW}
    assert event.answer == "Да" and event.addressed_to == "Глава"


def test_questions_before_and_during_a_meetup_from_registered_people():
    m = meetup_doc()
    rules.check_can_ask(m, registration_doc(status="waitlisted"), NOW)
    with pytest.raises(Conflict) as caught:
        rules.check_can_ask(m, registration_doc(status="confirmed"), START + timedelta(hours=2))
    assert caught.value.field == "meetup_id"
    with pytest.raises(Conflict) as caught:
        rules.check_can_ask(m, registration_doc(status="cancelled"), NOW)
    assert caught.value.field == "registration_id"


def test_a_question_about_a_program_item_goes_to_its_speaker():
    m = meetup_doc(
        program=[
            {"position": 1, "kind": "talk", "title": "Итоги", "speaker_name": "Глава города"},
            {"position": 2, "kind": "networking", "title": "Общение"},
        ]
    )
    assert rules.addressee(m, ask(program_position=1)) == "Глава города"
    assert rules.addressee(m, ask(program_position=2)) == "Общение"
    assert rules.addressee(m, ask(program_position=1, addressed_to="Юрист")) == "Юрист"
    with pytest.raises(InvalidInput) as caught:
        rules.addressee(m, ask(program_position=3))
    assert caught.value.field == "program_position"


def test_feedback_after_completion_from_a_confirmed_participant():
    data = rules.FeedbackIn(registration_id="r1", token="t", rating=4, comment="Полезно")
    with pytest.raises(Conflict) as caught:
        rules.new_feedback(meetup_doc(), registration_doc(status="confirmed"), data, NOW)
    assert caught.value.field == "meetup_id"
    done = meetup_doc(status="completed")
    with pytest.raises(Conflict) as caught:
        rules.new_feedback(done, registration_doc(status="waitlisted"), data, NOW)
    assert caught.value.field == "registration_id"
    doc, event = rules.new_feedback(done, registration_doc(status="confirmed"), data, NOW)
    assert doc["_id"] == "r1" and event.has_comment is True and event.rating == 4


def test_feedback_summary():
    items = [
        {"rating": 5, "comment": "Отлично", "received_at": NOW},
        {"rating": 3, "comment": None, "received_at": NOW},
        {"rating": 5, "comment": None, "received_at": NOW},
    ]
    summary = rules.feedback_summary(items)
    assert summary["count"] == 3 and summary["average"] == 4.33
    assert summary["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 2}
    assert summary["comments"] == [{"rating": 5, "comment": "Отлично", "at": NOW}]
    assert rules.feedback_summary([])["average"] is None
