"""Registration, cancellation, check-in; staff lists and exports with personal data."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from nkohub_events.api.deps import Context, MaybeStaff, check_token
from nkohub_events.domain import registrations as rules
from nkohub_events.domain.common import Role
from nkohub_events.exports import tabular_response
from nkohub_events.imports import import_sign_in_sheet, read_sheet
from nkohub_shared.errors import Conflict, InvalidInput
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["registrations"])


def links(ctx, r: dict[str, Any]) -> dict[str, str]:
    """The participant's secret links (the notifications service builds the same)."""
    token = ctx.registrations.token(rules.REGISTRATION_PURPOSE, r["_id"])
    return {
        "token": token,
        "cancel_url": ctx.registrations.url(f"/registrations/{r['_id']}/cancel?token={token}"),
        "feedback_url": ctx.registrations.url(
            f"/meetups/{r['meetup_id']}/feedback?registration={r['_id']}&token={token}"
        ),
    }


async def participant_view(ctx, r: dict[str, Any], *, secrets: bool) -> dict[str, Any]:
    view = {
        "registration_id": r["_id"],
        "meetup_id": r["meetup_id"],
        "status": r["status"],
        "position": await ctx.registrations.position(r),
    }
    if secrets:
        view["short_code"] = r["short_code"]
        view.update(links(ctx, r))
    return view


@router.post("/meetups/{meetup_id}/registrations", status_code=201)
async def register(meetup_id: str, body: rules.RegistrationIn, ctx: Context) -> Response:
    """Register for a scheduled meetup inside its window. 201 with the secret cancel link
    for a new registration; 200 with the existing registration's status (no secrets:
    they went to the address) when the e-mail is already registered."""
    r, created = await ctx.registrations.register(meetup_id, body, ctx.organizations)
    view = await participant_view(ctx, r, secrets=created)
    view["already_registered"] = not created
    return JSONResponse(_jsonable(view), status_code=201 if created else 200)


def _jsonable(view: dict[str, Any]) -> dict[str, Any]:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(view)


@router.get("/meetups/{meetup_id}/registrations", response_model=None)
async def list_registrations(
    meetup_id: str,
    ctx: Context,
    user: StaffUser,
    status: Literal["pending", "confirmed", "waitlisted", "cancelled", "no_show"] | None = None,
    role: Role | None = None,
    organization_id: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Registrations with personal data (staff only); ``format=csv|xlsx`` to export."""
    rows = await ctx.registrations.list(
        meetup_id, status=status, role=role, organization_id=organization_id, q=q
    )
    if format == "json":
        return rows
    return tabular_response(rows, rules.EXPORT_COLUMNS, f"registrations-{meetup_id}", format)


@router.get("/registrations/{registration_id}")
async def get_registration(
    registration_id: str, ctx: Context, staff: MaybeStaff, token: str | None = None
) -> dict[str, Any]:
    """The participant (with the token from the confirmation) or staff see a registration."""
    r = await ctx.registrations.get(registration_id)
    if staff is None:
        check_token(ctx, rules.REGISTRATION_PURPOSE, registration_id, token)
        return await participant_view(ctx, r, secrets=False)
    return rules.staff_view(r, await ctx.registrations.position(r))


@router.post("/registrations/{registration_id}/cancel")
async def cancel_registration(
    registration_id: str, ctx: Context, staff: MaybeStaff, token: str | None = None
) -> dict[str, Any]:
    """Cancel by the participant (``?token=`` from the confirmation) or by staff; a freed
    seat goes to the first on the waitlist at once."""
    if staff is None:
        check_token(ctx, rules.REGISTRATION_PURPOSE, registration_id, token)
    await ctx.registrations.get(registration_id)
    r = await ctx.registrations.cancel(
        registration_id, by="staff" if staff is not None else "participant"
    )
    return await participant_view(ctx, r, secrets=False)


@router.post("/registrations/{registration_id}/check-in")
async def check_in_registration(
    registration_id: str, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    r = await ctx.registrations.get(registration_id)
    done, first = await ctx.registrations.check_in(r["meetup_id"], registration_id, None)
    return {**rules.staff_view(done), "first_check_in": first}


@router.post("/meetups/{meetup_id}/check-in")
async def check_in_by_code(
    meetup_id: str, body: rules.CheckInIn, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Check in at the door by registration id or the short code from the confirmation."""
    if not body.registration_id and not body.short_code:
        raise InvalidInput("give a registration_id or a short_code", field="short_code")
    done, first = await ctx.registrations.check_in(meetup_id, body.registration_id, body.short_code)
    return {**rules.staff_view(done), "first_check_in": first}


@router.post("/meetups/{meetup_id}/attendance/import")
async def import_attendance(
    meetup_id: str, ctx: Context, user: StaffUser, file: UploadFile
) -> dict[str, Any]:
    """Import a sign-in sheet (CSV or XLSX: name, role, organization, optional contact) as
    attendances; importing the same sheet again records nothing new."""
    meetup = await ctx.meetups.get(meetup_id)
    if meetup["status"] == "cancelled":
        raise Conflict("the meetup was cancelled", field="meetup_id")
    if meetup["status"] == "draft" and not meetup.get("recorded_after_the_fact"):
        raise Conflict("the meetup has not been published", field="meetup_id")
    rows = read_sheet(file.filename or "", await file.read())
    return await import_sign_in_sheet(ctx, meetup, rows)
