"""Questions to speakers (moderated) and feedback after a meetup.

Question statuses: ``submitted`` → ``approved`` (public) → ``answered``; or ``rejected``;
or ``merged`` into another question (which then counts the merged one's askers).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_events.domain.common import LongText, Text


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionIn(_In):
    registration_id: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=200)
    text: LongText = Field(min_length=3, max_length=2000)
    addressed_to: Text | None = None
    program_position: int | None = Field(default=None, ge=1)


class ApproveIn(_In):
    text: LongText | None = Field(default=None, min_length=3, max_length=2000)


class MergeIn(_In):
    into: str = Field(min_length=1, max_length=100)


class AnswerIn(_In):
    answer: LongText = Field(min_length=1)


class FeedbackIn(_In):
    registration_id: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1, max_length=200)
    rating: int = Field(ge=1, le=5)
    comment: LongText | None = Field(default=None, max_length=5000)


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
