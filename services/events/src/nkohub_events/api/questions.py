"""Questions (submitted by registered participants, moderated by staff, public when
approved) and feedback after a completed meetup."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context
from nkohub_events.domain import questions as rules
from nkohub_shared.links import Purpose
from nkohub_shared.web.auth import MaybeStaff, StaffUser
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(tags=["questions and feedback"])


@router.post("/meetups/{meetup_id}/questions", status_code=201)
async def submit_question(
    meetup_id: str, body: rules.QuestionIn, ctx: Context, client: ClientAddress
) -> dict:
    """A registered participant (registration id + token from the confirmation) asks."""
    ctx.links.signer.require(Purpose.REGISTRATION, body.registration_id, body.token)
    return rules.question_public(await ctx.questions.submit(meetup_id, body, client=client))


@router.get("/meetups/{meetup_id}/questions")
async def list_questions(
    meetup_id: str,
    ctx: Context,
    staff: MaybeStaff,
    status: Annotated[list[rules.QuestionStatus] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Approved and answered questions for everyone; staff see all (and who asked)."""
    if staff is None:
        return [rules.question_public(q) for q in await ctx.questions.public(meetup_id)]
    questions = await ctx.questions.for_staff(meetup_id, list(status) if status else None)
    return [rules.question_staff(q) for q in questions]


@router.post("/questions/{question_id}/approve")
async def approve_question(
    question_id: str, ctx: Context, user: StaffUser, body: rules.ApproveIn | None = None
) -> dict:
    q = await ctx.questions.approve(question_id, body.text if body else None, actor=user.sub)
    return rules.question_staff(q)


@router.post("/questions/{question_id}/reject")
async def reject_question(question_id: str, ctx: Context, user: StaffUser) -> dict:
    return rules.question_staff(await ctx.questions.reject(question_id, actor=user.sub))


@router.post("/questions/{question_id}/merge")
async def merge_question(
    question_id: str, body: rules.MergeIn, ctx: Context, user: StaffUser
) -> dict:
    """Merge a duplicate into another question of the same meetup."""
    return rules.question_staff(await ctx.questions.merge(question_id, body.into, actor=user.sub))


@router.post("/questions/{question_id}/answer")
async def answer_question(
    question_id: str, body: rules.AnswerIn, ctx: Context, user: StaffUser
) -> dict:
    q = await ctx.questions.answer(question_id, body.answer, actor=user.sub)
    return rules.question_staff(q)


@router.post("/meetups/{meetup_id}/feedback", status_code=201)
async def leave_feedback(
    meetup_id: str, body: rules.FeedbackIn, ctx: Context, client: ClientAddress
) -> dict:
    """After a completed meetup, a participant (by their token) rates it 1–5."""
    ctx.links.signer.require(Purpose.REGISTRATION, body.registration_id, body.token)
    doc = await ctx.questions.leave_feedback(meetup_id, body, client=client)
    return {"feedback_id": doc["_id"], "rating": doc["rating"]}


@router.get("/meetups/{meetup_id}/feedback")
async def feedback_summary(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    return await ctx.questions.feedback_summary(meetup_id)
