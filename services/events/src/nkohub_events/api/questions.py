"""Questions (submitted by registered participants, moderated by staff, public when
approved) and feedback after a completed meetup."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context, MaybeStaff, check_token
from nkohub_events.domain import questions as rules
from nkohub_events.domain.registrations import REGISTRATION_PURPOSE
from nkohub_shared.errors import NotFound
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["questions and feedback"])

QuestionStatus = Literal["submitted", "approved", "answered", "rejected", "merged"]


async def _participant(ctx, meetup_id: str, registration_id: str, token: str):
    check_token(ctx, REGISTRATION_PURPOSE, registration_id, token)
    meetup = await ctx.meetups.get_published(meetup_id)
    registration = await ctx.registrations.get(registration_id)
    if registration["meetup_id"] != meetup["_id"]:
        raise NotFound("no such registration for this meetup", field="registration_id")
    return meetup, registration


@router.post("/meetups/{meetup_id}/questions", status_code=201)
async def submit_question(meetup_id: str, body: rules.QuestionIn, ctx: Context) -> dict:
    """A registered participant (registration id + token from the confirmation) asks."""
    meetup, registration = await _participant(ctx, meetup_id, body.registration_id, body.token)
    return rules.question_public(await ctx.questions.submit(meetup, registration, body))


@router.get("/meetups/{meetup_id}/questions")
async def list_questions(
    meetup_id: str,
    ctx: Context,
    staff: MaybeStaff,
    status: Annotated[list[QuestionStatus] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Approved and answered questions for everyone; staff see all (and who asked)."""
    meetup = await (ctx.meetups.get if staff else ctx.meetups.get_published)(meetup_id)
    if staff is None:
        items = await ctx.questions.list(meetup["_id"], ["approved", "answered"])
        return [rules.question_public(q) for q in items]
    statuses = list(status or ["submitted", "approved", "answered", "rejected", "merged"])
    return [rules.question_staff(q) for q in await ctx.questions.list(meetup["_id"], statuses)]


@router.post("/questions/{question_id}/approve")
async def approve_question(
    question_id: str, ctx: Context, user: StaffUser, body: rules.ApproveIn | None = None
) -> dict:
    return rules.question_staff(
        await ctx.questions.approve(question_id, body.text if body else None)
    )


@router.post("/questions/{question_id}/reject")
async def reject_question(question_id: str, ctx: Context, user: StaffUser) -> dict:
    return rules.question_staff(await ctx.questions.reject(question_id))


@router.post("/questions/{question_id}/merge")
async def merge_question(
    question_id: str, body: rules.MergeIn, ctx: Context, user: StaffUser
) -> dict:
    """Merge a duplicate into another question of the same meetup."""
    return rules.question_staff(await ctx.questions.merge(question_id, body.into))


@router.post("/questions/{question_id}/answer")
async def answer_question(
    question_id: str, body: rules.AnswerIn, ctx: Context, user: StaffUser
) -> dict:
    return rules.question_staff(await ctx.questions.answer(question_id, body.answer))


@router.post("/meetups/{meetup_id}/feedback", status_code=201)
async def leave_feedback(meetup_id: str, body: rules.FeedbackIn, ctx: Context) -> dict:
    """After a completed meetup, a participant (by their token) rates it 1–5."""
    meetup, registration = await _participant(ctx, meetup_id, body.registration_id, body.token)
    doc = await ctx.questions.leave_feedback(meetup, registration, body)
    return {"feedback_id": doc["_id"], "rating": doc["rating"]}


@router.get("/meetups/{meetup_id}/feedback")
async def feedback_summary(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    meetup = await ctx.meetups.get(meetup_id)
    return await ctx.questions.feedback_summary(meetup["_id"])
