"""Questions to speakers (moderated) and feedback after a meetup.

Question statuses: ``submitted`` → ``approved`` (public) → ``answered``; or ``rejected``;
or ``merged`` into another question (which then counts the merged one's askers). A
rejected question may still be approved; an approved one rejected or merged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts.events import FeedbackReceived, QuestionAnswered, QuestionSubmitted
from nkohub_events.domain import audit
from nkohub_events.domain.common import AskedQuestion, Comment, LongText, Name
from nkohub_shared.errors import Conflict, InvalidInput, NotFound

QuestionStatus = Literal["submitted", "approved", "answered", "rejected", "merged"]
PUBLIC_STATUSES = ("approved", "answered")
ALL_STATUSES = ("submitted", "approved", "answered", "rejected", "merged")
Moderation = Literal["approve", "reject", "merge", "answer"]
MOVES_FROM: dict[Moderation, tuple[str, ...]] = {
    "approve": ("submitted", "rejected"),
    "reject": ("submitted", "approved"),
    "merge": ("submitted", "approved"),
    "answer": ("approved",),
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionIn(_In):
    registration_id: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=200)
    text: AskedQuestion
    addressed_to: Name | None = None
    program_position: int | None = Field(default=None, ge=1)


class ApproveIn(_In):
    text: AskedQuestion | None = None


class MergeIn(_In):
    into: str = Field(min_length=1, max_length=100)


class AnswerIn(_In):
    answer: LongText = Field(min_length=1)


class FeedbackIn(_In):
    registration_id: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=200)
    rating: int = Field(ge=1, le=5)
    comment: Comment | None = None


def require_registration_of(meetup: dict[str, Any], registration: dict[str, Any]) -> None:
    if registration["meetup_id"] != meetup["_id"]:
        raise NotFound("no such registration for this meetup", field="registration_id")


# -- asking -------------------------------------------------------------------------------


def check_can_ask(meetup: dict[str, Any], registration: dict[str, Any], now: datetime) -> None:
    """Questions are taken before and during a scheduled meetup, from people registered."""
    if meetup["status"] != "scheduled" or meetup["ends_at"] <= now:
        raise Conflict("questions are taken before and during a meetup", field="meetup_id")
    if registration["status"] not in ("confirmed", "waitlisted"):
        raise Conflict(f"the registration is {registration['status']}", field="registration_id")


def addressee(meetup: dict[str, Any], data: QuestionIn) -> str | None:
    """Whom the question is for: as given, else the program item's speaker or title."""
    if data.program_position is None:
        return data.addressed_to
    items = {p["position"]: p for p in meetup.get("program", [])}
    item = items.get(data.program_position)
    if item is None:
        raise InvalidInput("no such program item", field="program_position")
    return data.addressed_to or item.get("speaker_name") or item["title"]


def new_question(
    question_id: str,
    meetup: dict[str, Any],
    registration: dict[str, Any],
    data: QuestionIn,
    now: datetime,
) -> tuple[dict[str, Any], QuestionSubmitted]:
    addressed_to = addressee(meetup, data)
    event = QuestionSubmitted(
        question_id=question_id, meetup_id=meetup["_id"], addressed_to=addressed_to, text=data.text
    )
    doc = {
        "_id": question_id,
        "meetup_id": meetup["_id"],
        "registration_id": registration["_id"],
        "person_key": registration["person_key"],
        "author_name": registration["name"],
        "text": data.text,
        "addressed_to": addressed_to,
        "program_position": data.program_position,
        "status": "submitted",
        "merged": [],
        "submitted_at": now,
    }
    return doc, event


# -- moderation ---------------------------------------------------------------------------


def require_move(q: dict[str, Any], action: Moderation) -> None:
    if q["status"] not in MOVES_FROM[action]:
        raise Conflict(f"the question is {q['status']}", field="status")


def approval(q: dict[str, Any], text: str | None, now: datetime) -> dict[str, Any]:
    """Staff may correct the text when approving; the original is kept."""
    require_move(q, "approve")
    fields: dict[str, Any] = {"status": "approved", "moderated_at": now}
    if text and text != q["text"]:
        fields.update(text=text, original_text=q["text"])
    return fields


def rejection(q: dict[str, Any], now: datetime) -> dict[str, Any]:
    require_move(q, "reject")
    return {"status": "rejected", "moderated_at": now}


def check_merge(q: dict[str, Any], target: dict[str, Any] | None) -> None:
    """A duplicate merges into another live question of the same meetup."""
    if target is not None and target["_id"] == q["_id"]:
        raise InvalidInput("a question cannot be merged into itself", field="into")
    if target is None or target["meetup_id"] != q["meetup_id"]:
        raise NotFound("no such question at this meetup", field="into")
    if target["status"] in ("merged", "rejected"):
        raise Conflict(f"the target question is {target['status']}", field="into")


def merger(q: dict[str, Any], into: str, now: datetime) -> dict[str, Any]:
    require_move(q, "merge")
    return {"status": "merged", "merged_into": into, "moderated_at": now}


def answering(
    q: dict[str, Any], answer: str, now: datetime
) -> tuple[dict[str, Any], QuestionAnswered]:
    require_move(q, "answer")
    event = QuestionAnswered(
        question_id=q["_id"],
        meetup_id=q["meetup_id"],
        addressed_to=q.get("addressed_to"),
        text=q["text"],
        answer=answer,
    )
    return {"status": "answered", "answer": answer, "answered_at": now}, event


# -- feedback -----------------------------------------------------------------------------


def new_feedback(
    meetup: dict[str, Any], registration: dict[str, Any], data: FeedbackIn, now: datetime
) -> tuple[dict[str, Any], FeedbackReceived]:
    """One feedback per registration (its id), once the meetup is completed."""
    if meetup["status"] != "completed":
        raise Conflict("feedback opens when the meetup is completed", field="meetup_id")
    if registration["status"] != "confirmed":
        raise Conflict(f"the registration is {registration['status']}", field="registration_id")
    feedback_id = registration["_id"]
    event = FeedbackReceived(
        feedback_id=feedback_id,
        meetup_id=meetup["_id"],
        rating=data.rating,
        has_comment=bool(data.comment),
    )
    doc = {
        "_id": feedback_id,
        "meetup_id": meetup["_id"],
        "rating": data.rating,
        "comment": data.comment or None,
        "received_at": now,
    }
    return doc, event


# -- views --------------------------------------------------------------------------------


def question_public(q: dict[str, Any]) -> dict[str, Any]:
    return {
        "question_id": q["_id"],
        "meetup_id": q["meetup_id"],
        "text": q["text"],
        "addressed_to": q.get("addressed_to"),
        "program_position": q.get("program_position"),
        "status": q["status"],
        "askers": 1 + len(q.get("merged", [])),
        "answer": q.get("answer"),
    }


def question_staff(q: dict[str, Any]) -> dict[str, Any]:
    view = question_public(q)
    view.update(
        registration_id=q.get("registration_id"),
        author_name=q.get("author_name"),
        submitted_at=q.get("submitted_at"),
        original_text=q.get("original_text"),
        merged_into=q.get("merged_into"),
        merged=q.get("merged", []),
        history=audit.history_of(q),
    )
    return view


def feedback_summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    ratings = [f["rating"] for f in items]
    return {
        "count": len(ratings),
        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "distribution": {str(i): ratings.count(i) for i in range(1, 6)},
        "comments": [
            {"rating": f["rating"], "comment": f["comment"], "at": f["received_at"]}
            for f in items
            if f.get("comment")
        ],
    }
