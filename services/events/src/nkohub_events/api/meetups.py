"""Meetups: staff create, change and move them through their life cycle; anyone reads
published ones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, ConfigDict, Field

from nkohub_events.api.deps import Context, MaybeStaff
from nkohub_events.domain import meetups as rules
from nkohub_events.domain.common import utcnow
from nkohub_shared.errors import NotFound
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["meetups"])


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=1000)


def _view(m: dict[str, Any], staff: bool) -> dict[str, Any]:
    return rules.staff_view(m, utcnow()) if staff else rules.public_view(m, utcnow())


@router.post("/meetups", status_code=status.HTTP_201_CREATED)
async def create_meetup(body: rules.MeetupIn, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Create a draft meetup (staff). A start in the past records a meetup that already
    took place (``recorded_after_the_fact``)."""
    m = await ctx.meetups.create(body.model_dump(), staff=user.sub)
    return _view(m, True)


@router.get("/meetups")
async def list_meetups(
    ctx: Context,
    staff: MaybeStaff,
    status_: Annotated[
        Literal["draft", "scheduled", "completed", "cancelled"] | None, Query(alias="status")
    ] = None,
    upcoming: bool = False,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
) -> list[dict[str, Any]]:
    """Published meetups for everyone; staff also see drafts."""
    allowed = (
        ["draft", "scheduled", "completed", "cancelled"]
        if staff
        else [
            "scheduled",
            "completed",
            "cancelled",
        ]
    )
    statuses = [status_] if status_ else allowed
    if status_ and status_ not in allowed:
        return []
    starts_from = utcnow() if upcoming else _day(from_)
    meetups = await ctx.meetups.list(
        statuses=statuses, starts_from=starts_from, starts_to=_day(to, next_day=True)
    )
    return [_view(m, staff is not None) for m in meetups]


def _day(d: date | None, next_day: bool = False) -> datetime | None:
    from nkohub_events.domain.common import as_utc

    if d is None:
        return None
    return as_utc(datetime.combine(d + timedelta(days=1 if next_day else 0), time()))


@router.get("/meetups/{meetup_id}")
async def get_meetup(meetup_id: str, ctx: Context, staff: MaybeStaff) -> dict[str, Any]:
    m = await ctx.meetups.get(meetup_id)
    if m["status"] == "draft" and staff is None:
        raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
    return _view(m, staff is not None)


@router.patch("/meetups/{meetup_id}")
async def update_meetup(
    meetup_id: str, body: rules.MeetupPatch, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Change a draft or scheduled meetup; a scheduled one tells everyone what changed."""
    m = await ctx.meetups.update(meetup_id, body.model_dump(exclude_unset=True))
    await ctx.registrations.promote(m["_id"])  # more seats may free the waitlist
    return _view(await ctx.meetups.get(m["_id"]), True)


@router.post("/meetups/{meetup_id}/publish")
async def publish_meetup(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    return _view(await ctx.meetups.publish(meetup_id), True)


@router.post("/meetups/{meetup_id}/cancel")
async def cancel_meetup(
    meetup_id: str, ctx: Context, user: StaffUser, body: Annotated[CancelIn | None, Body()] = None
) -> dict[str, Any]:
    return _view(await ctx.meetups.cancel(meetup_id, body.reason if body else None), True)


@router.post("/meetups/{meetup_id}/complete")
async def complete_meetup(meetup_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Close a meetup that took place; confirmed registrations not checked in become
    no-shows."""
    return _view(await ctx.meetups.complete(meetup_id), True)
