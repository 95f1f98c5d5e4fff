"""The meetup's papers for the door (staff): the sign-in sheet and the name badges, PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from nkohub_events.api.deps import Context
from nkohub_events.domain.printouts import MAX_WALK_IN_LINES, WALK_IN_LINES
from nkohub_shared.web.auth import StaffUser

router = APIRouter(tags=["registrations"])

PDF = "application/pdf"
PDF_RESPONSE = {200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}}


def _attachment(name: str, body: bytes) -> Response:
    return Response(
        body, media_type=PDF, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/meetups/{meetup_id}/sign-in-sheet.pdf", response_class=Response, responses=PDF_RESPONSE
)
async def sign_in_sheet(
    meetup_id: str,
    ctx: Context,
    user: StaffUser,
    blank: Annotated[int, Query(ge=0, le=MAX_WALK_IN_LINES)] = WALK_IN_LINES,
) -> Response:
    """The sign-in sheet (A4): the meetup's title, date and place, the consent text of the
    registration form, a numbered line per confirmed registration (by name) with the
    organization and role and room to sign, then ``blank`` empty lines for walk-ins.
    503 when the server lacks the PDF font."""
    name, body = await ctx.printouts.sign_in_sheet(meetup_id, blank)
    return _attachment(name, body)


@router.get("/meetups/{meetup_id}/badges.pdf", response_class=Response, responses=PDF_RESPONSE)
async def badges(meetup_id: str, ctx: Context, user: StaffUser) -> Response:
    """A name badge per confirmed registration (name, organization, role), eight to an A4
    sheet with cutting lines. 503 when the server lacks the PDF font."""
    name, body = await ctx.printouts.badges(meetup_id)
    return _attachment(name, body)
