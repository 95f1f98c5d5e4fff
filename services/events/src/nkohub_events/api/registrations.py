"""Registration, cancellation, check-in and sign-in sheets; staff lists and exports with
personal data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from nkohub_events.api import sheets
from nkohub_events.api.deps import Context
from nkohub_events.api.exports import REGISTRATION_COLUMNS
from nkohub_events.context import EventsContext
from nkohub_events.domain import registrations as rules
from nkohub_events.domain.common import Role
from nkohub_shared.links import Purpose
from nkohub_shared.web.auth import MaybeStaff, StaffUser
from nkohub_shared.web.clients import ClientAddress, client_address
from nkohub_shared.web.downloads import TABLE_CONTENT, table_download
from nkohub_shared.web.hardening import file_upload_openapi

router = APIRouter(tags=["registrations"])


async def participant_view(ctx: Context, r: dict[str, Any]) -> dict[str, Any]:
    """What the participant sees: never the door code, token or links — those go to the
    registered address only (whoever typed it may not own it)."""
    return {
        "registration_id": r["_id"],
        "meetup_id": r["meetup_id"],
        "status": r["status"],
        "position": await ctx.registrations.position(r),
    }


class PublicRegistrationRoute(APIRoute):
    """The public registration without FastAPI's dependency resolution: a request with no
    credentials and a body the model accepts goes to ``_public_registration`` with the
    body parsed once (``model_validate_json``) and the same client address, context and
    answer as through the route's parameters (FastAPI's resolving of four dependencies and
    the body was about a tenth of a registration's CPU). Anything else — a token, a body
    the model refuses, another content type — takes FastAPI's way, with its answers
    (the body read here is kept by the request and read again from there)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def serve(request: Request) -> Response:
            headers = request.headers
            if "authorization" in headers or not headers.get("content-type", "").startswith(
                "application/json"
            ):
                return await handler(request)
            try:
                body = rules.RegistrationIn.model_validate_json(await request.body())
            except ValidationError:
                return await handler(request)
            return await _public_registration(
                request.path_params["meetup_id"],
                body,
                request.app.state.runtime.context,
                await client_address(request),
            )

        return serve


async def register(
    meetup_id: str,
    body: rules.RegistrationIn,
    ctx: Context,
    client: ClientAddress,
    staff: MaybeStaff,
) -> Response:
    """Register for a scheduled meetup inside its window. 201 with the status of a new
    registration; 200 (``already_registered``, nothing more) when the address is
    registered already. The code for the door and the cancel and feedback links are
    mailed to the address, never returned. The public door's limits apply (429); staff
    (with a token) pass them.

    A walk-in (staff, ``"checked_in": true``; ``email`` optional): registered and
    checked in at once, also after registration closed and past the seats open to
    registration; 201 with the staff view of the registration and ``first_check_in``
    (200 when the address was registered already: that registration, checked in)."""
    if staff is None:
        return await _public_registration(meetup_id, body, ctx, client)
    if body.checked_in:
        return await _walk_in(meetup_id, body, ctx, staff.sub)
    r, created = await ctx.registrations.register(meetup_id, body, actor=staff.sub)
    return await _answer(ctx, r, created)


router.add_api_route(
    "/meetups/{meetup_id}/registrations",
    register,
    methods=["POST"],
    status_code=201,
    route_class_override=PublicRegistrationRoute,
)


async def _public_registration(
    meetup_id: str, body: rules.RegistrationIn, ctx: EventsContext, client: str
) -> Response:
    r, created = await ctx.registrations.register(meetup_id, body, client=client)
    return await _answer(ctx, r, created)


async def _answer(ctx: EventsContext, r: dict[str, Any], created: bool) -> Response:
    ctx.registration_outcomes.labels(r["status"] if created else "already_registered").inc()
    if not created:
        view = rules.already_registered_view(r)
    else:
        view = {**await participant_view(ctx, r), **rules.registered_view(r)}
    # strings, numbers and booleans only: encoded as they are (no jsonable_encoder pass)
    return JSONResponse(view, status_code=201 if created else 200)


async def _walk_in(
    meetup_id: str, body: rules.RegistrationIn, ctx: Context, actor: str
) -> Response:
    r, created = await ctx.registrations.walk_in(meetup_id, body, actor=actor)
    done, first = await ctx.attendance.check_in(
        r["meetup_id"], registration_id=r["_id"], actor=actor
    )
    ctx.registration_outcomes.labels("walk_in" if created else "already_registered").inc()
    view = {**rules.staff_view(done), "first_check_in": first}
    return JSONResponse(jsonable_encoder(view), status_code=201 if created else 200)


@router.get("/meetups/{meetup_id}/registrations", response_model=None, responses=TABLE_CONTENT)
async def list_registrations(
    meetup_id: str,
    ctx: Context,
    user: StaffUser,
    status: Literal["pending", "confirmed", "waitlisted", "cancelled", "no_show"] | None = None,
    role: Role | None = None,
    organization_id: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Registrations with personal data (staff only); ``format=csv|xlsx`` to export.
    ``q`` finds people at the door by part of a name, address or organization (case and
    ё/е aside), at most ``limit`` of them (50 unless given)."""
    rows = await ctx.registrations.list(
        meetup_id, status=status, role=role, organization_id=organization_id, q=q, limit=limit
    )
    if format == "json":
        return rows
    return table_download(f"registrations-{meetup_id}", format, REGISTRATION_COLUMNS, rows)


@router.get("/registrations/{registration_id}")
async def get_registration(
    registration_id: str,
    ctx: Context,
    staff: MaybeStaff,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """The participant (with the token from the confirmation) or staff see a registration."""
    if staff is not None:
        return await ctx.registrations.staff_view(registration_id)
    r = await ctx.registrations.get(registration_id)
    ctx.links.signer.require(Purpose.REGISTRATION, registration_id, token)
    return await participant_view(ctx, r)


@router.post("/registrations/{registration_id}/cancel")
async def cancel_registration(
    registration_id: str,
    ctx: Context,
    staff: MaybeStaff,
    client: ClientAddress,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Cancel by the participant (``?token=`` from the confirmation) or by staff; a freed
    seat goes to the first on the waitlist at once."""
    if staff is None:
        ctx.links.signer.require(Purpose.REGISTRATION, registration_id, token)
    if staff is not None:
        r = await ctx.registrations.cancel(registration_id, by="staff", actor=staff.sub)
    else:
        r = await ctx.registrations.cancel(registration_id, by="participant", client=client)
    return await participant_view(ctx, r)


@router.post("/registrations/{registration_id}/check-in")
async def check_in_registration(
    registration_id: str, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    done, first = await ctx.attendance.check_in_registration(registration_id, actor=user.sub)
    return {**rules.staff_view(done), "first_check_in": first}


@router.post("/meetups/{meetup_id}/check-in")
async def check_in_by_code(
    meetup_id: str, body: rules.CheckInIn, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Check in at the door by registration id or the short code from the confirmation."""
    done, first = await ctx.attendance.check_in(
        meetup_id, registration_id=body.registration_id, code=body.short_code, actor=user.sub
    )
    return {**rules.staff_view(done), "first_check_in": first}


SHEET_UPLOAD = file_upload_openapi("CSV или XLSX")


@router.post("/meetups/{meetup_id}/attendance/import", openapi_extra=SHEET_UPLOAD)
async def import_attendance(
    meetup_id: str, ctx: Context, user: StaffUser, request: Request
) -> dict[str, Any]:
    """Import a sign-in sheet (CSV or XLSX, multipart field ``file``: name, role,
    organization, optional contact) as attendances; importing the same sheet again
    records nothing new. 413 past ``NKOHUB_SHEET_MAX_BYTES`` or ``NKOHUB_SHEET_MAX_ROWS``
    (refused while reading)."""
    settings = ctx.runtime.settings
    filename, content = await sheets.uploaded_file(request, settings.sheet_max_bytes)
    rows = await sheets.parse_sheet(filename, content, settings.sheet_max_rows)
    return await ctx.attendance.import_sheet(meetup_id, rows, actor=user.sub)
