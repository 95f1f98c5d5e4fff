"""Questions (moderated, public when approved, answered) and feedback after completion."""

from __future__ import annotations

from tests.events.conftest import (
    STAFF,
    move_to_past,
    person,
    registration_token,
    scheduled_meetup,
)


async def test_questions_are_moderated_merged_and_answered(events, spy):
    mid = (await scheduled_meetup(events))["meetup_id"]
    a = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    b = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(2))).json()

    async def ask(reg, text, **extra):
        return await events.post(
            f"/api/v1/meetups/{mid}/questions",
            json={
                "registration_id": reg["registration_id"],
                "token": registration_token(reg["registration_id"]),
                "text": text,
                **extra,
            },
        )

    q1 = await ask(a, "Когда будет ресурсный центр НКО?", program_position=1)
    assert q1.status_code == 201, q1.text
    assert q1.json()["addressed_to"] == "Глава города"
    q2 = (await ask(b, "Будет ли ресурсный центр?")).json()
    forged = await events.post(
        f"/api/v1/meetups/{mid}/questions",
        json={
            "registration_id": a["registration_id"],
            "token": registration_token(b["registration_id"]),
            "text": "Взлом?",
        },
    )
    assert forged.status_code == 403 and forged.json()["error"]["field"] == "token"
    bad = await ask(a, "Вопрос", program_position=9)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "program_position"
    assert (await events.get(f"/api/v1/meetups/{mid}/questions")).json() == []

    qid = q1.json()["question_id"]
    await events.post(f"/api/v1/questions/{qid}/approve", headers=STAFF)
    merged = await events.post(
        f"/api/v1/questions/{q2['question_id']}/merge", json={"into": qid}, headers=STAFF
    )
    assert merged.json()["status"] == "merged"
    public = (await events.get(f"/api/v1/meetups/{mid}/questions")).json()
    assert [q["question_id"] for q in public] == [qid] and public[0]["askers"] == 2
    assert "author_name" not in public[0] and "Участник" not in str(public)
    staff = (await events.get(f"/api/v1/meetups/{mid}/questions", headers=STAFF)).json()
    assert {q["author_name"] for q in staff} == {"Участник 1", "Участник 2"}

    answered = await events.post(
        f"/api/v1/questions/{qid}/answer", json={"answer": "В 2020 году."}, headers=STAFF
    )
    assert answered.json()["status"] == "answered"
    await spy.wait_for(
        lambda ev: (
            spy.of_type("events.question.answered")
            and len(spy.of_type("events.question.submitted")) == 2
        )
    )  # events of different questions may arrive in any order
    data = spy.of_type("events.question.answered")[0]["data"]
    assert data["answer"] == "В 2020 году." and data["addressed_to"] == "Глава города"
    again = await events.post(
        f"/api/v1/questions/{q2['question_id']}/answer", json={"answer": "x"}, headers=STAFF
    )
    assert again.status_code == 409


async def test_feedback_after_completion_once_per_participant_and_summary(events, spy):
    mid = (await scheduled_meetup(events))["meetup_id"]
    regs = [
        (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(i))).json()
        for i in range(3)
    ]

    async def rate(reg, rating, comment=None):
        return await events.post(
            f"/api/v1/meetups/{mid}/feedback",
            json={
                "registration_id": reg["registration_id"],
                "token": registration_token(reg["registration_id"]),
                "rating": rating,
                "comment": comment,
            },
        )

    early = await rate(regs[0], 5)
    assert early.status_code == 409 and early.json()["error"]["field"] == "meetup_id"
    await move_to_past(events, mid)
    await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert (await rate(regs[0], 5, "Отлично")).status_code == 201
    assert (await rate(regs[1], 3)).status_code == 201
    twice = await rate(regs[0], 1)
    assert twice.status_code == 409 and twice.json()["error"]["field"] == "registration_id"
    zero = await rate(regs[2], 0)
    assert zero.status_code == 422 and zero.json()["error"]["field"] == "rating"
    assert (await events.get(f"/api/v1/meetups/{mid}/feedback")).status_code == 401
    summary = (await events.get(f"/api/v1/meetups/{mid}/feedback", headers=STAFF)).json()
    assert summary["count"] == 2 and summary["average"] == 4.0
    assert summary["distribution"]["5"] == 1 and summary["comments"][0]["comment"] == "Отлично"
    await spy.wait_for(lambda ev: len(spy.of_type("events.feedback.received")) == 2)
    ratings = sorted(e["data"]["rating"] for e in spy.of_type("events.feedback.received"))
    assert ratings == [3, 5] and "comment" not in spy.of_type("events.feedback.received")[0]["data"]
