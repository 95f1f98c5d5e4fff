"""Meetups: staff create, change and move them through their life cycle; anyone reads
published ones."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status

from nkohub_events.api.deps import Context
from nkohub_events.domain import copies
from nkohub_events.domain import meetups as rules
from nkohub_events.domain.common import utcnow
from nkohub_shared.web.auth import MaybeStaff, StaffUser

# Days a meetup list may be asked for (a year like 0246 cannot be placed in a time zone).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)

router = APIRouter(tags=["meetups"])


def _view(m: dict[str, Any], staff: bool) -> dict[str, Any]:
    return rules.staff_view(m, utcnow()) if staff else rules.public_view(m, utcnow())


@router.post("/meetups", status_code=status.HTTP_201_CREATED)
async def create_meetup(body: rules.MeetupIn, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Create a draft meetup (staff). A start in the past records a meetup that already
    took place (``recorded_after_the_fact``)."""
    return _view(await ctx.meetups.create(body.model_dump(), staff=user.sub), True)


@router.post("/meetups/{meetup_id}/copy", status_code=status.HTTP_201_CREATED)
async def copy_meetup(
    meetup_id: str, body: copies.CopyIn, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """A new draft like the meetup, starting at ``starts_at`` (staff): title, description,
    venue, capacity, settings, program and consultation slots (with their specialists,
    free) moved by the same delta; no registrations, questions, feedback or attendance.
    A copy starts in the future (422 ``starts_at``)."""
    return _view(await ctx.meetups.copy(meetup_id, body.starts_at, actor=user.sub), True)


@router.get("/meetups")
async def list_meetups(
    ctx: Context,
    staff: MaybeStaff,
    status_: Annotated[rules.Status | None, Query(alias="status")] = None,
    upcoming: bool = False,
    from_: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)] = None,
    to: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY)] = None,
) -> list[dict[str, Any]]:
    """Published meetups for everyone; staff also see drafts."""
    meetups = await ctx.meetups.browse(
        staff=staff is not None, status=status_, upcoming=upcoming, first_day=from_, last_day=to
    )
    return [_view(m, staff is not None) for m in meetups]


@router.get("/meetups/{meetup_id}")
async def get_meetup(meetup_id: str, ctx: Context, staff: MaybeStaff) -> dict[str, Any]:
    m = await ctx.meetups.visible(meetup_id, staff=staff is not None)
    return _view(m, staff is not None)


@router.patch("/meetups/{meetup_id}")
async def update_meetup(
    meetup_id: str, body: rules.MeetupPatch, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Change a draft or scheduled meetup; a scheduled one tells everyone what changed."""
    patch = body.model_dump(exclude_unset=True)
    return _view(await ctx.meetups.update(meetup_id, patch, actor=user.sub), True)


@router.post("/meetups/{meetup_id}/publish")
async def publish_meetup(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    return _view(await ctx.meetups.publish(meetup_id, actor=user.sub), True)


@router.post("/meetups/{meetup_id}/cancel")
async def cancel_meetup(
    meetup_id: str,
    ctx: Context,
    user: StaffUser,
    body: Annotated[rules.CancelIn | None, Body()] = None,
) -> dict[str, Any]:
    reason = body.reason if body else None
    return _view(await ctx.meetups.cancel(meetup_id, reason, actor=user.sub), True)


@router.post("/meetups/{meetup_id}/complete")
async def complete_meetup(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Close a meetup that took place; confirmed registrations not checked in become
    no-shows."""
    return _view(await ctx.meetups.complete(meetup_id, actor=user.sub), True)
