"""Specialists, consultation slots, bookings by NGOs, cancellation, completion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context
from nkohub_events.domain import consultations as rules
from nkohub_shared.links import Purpose
from nkohub_shared.web.auth import MaybeStaff, StaffUser
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(tags=["consultations"])


@router.post("/specialists", status_code=201)
async def add_specialist(body: rules.SpecialistIn, ctx: Context, user: StaffUser) -> dict:
    s = await ctx.consultations.add_specialist(body)
    return {**rules.specialist_public(s), "email": s.get("email")}


@router.get("/specialists")
async def list_specialists(ctx: Context, staff: MaybeStaff) -> list[dict[str, Any]]:
    """Specialists; their e-mail addresses for staff only."""
    out = []
    for s in await ctx.consultations.specialists():
        view = rules.specialist_public(s)
        if staff is not None:
            view["email"] = s.get("email")
        out.append(view)
    return out


@router.post("/meetups/{meetup_id}/consultation-slots", status_code=201)
async def add_slot(meetup_id: str, body: rules.SlotIn, ctx: Context, user: StaffUser) -> dict:
    return rules.slot_staff(await ctx.consultations.add_slot(meetup_id, body))


@router.get("/meetups/{meetup_id}/consultation-slots")
async def list_slots(meetup_id: str, ctx: Context, staff: MaybeStaff) -> list[dict[str, Any]]:
    """Free and booked slots; who booked is for staff only."""
    slots = await ctx.consultations.slots(meetup_id, staff=staff is not None)
    view = rules.slot_staff if staff is not None else rules.slot_public
    return [view(s) for s in slots]


@router.post("/consultation-slots/{slot_id}/booking", status_code=201)
async def book_slot(
    slot_id: str, body: rules.BookingIn, ctx: Context, client: ClientAddress, staff: MaybeStaff
) -> dict[str, Any]:
    """An NGO books a slot with its question: one booking per slot, at most N active
    bookings per organization per meetup. The cancel link goes to the contact's address
    only, never in this answer."""
    slot = await ctx.consultations.book(slot_id, body, client=client if staff is None else None)
    return rules.booked_view(slot)


@router.post("/consultations/{consultation_id}/cancel")
async def cancel_consultation(
    consultation_id: str,
    ctx: Context,
    staff: MaybeStaff,
    client: ClientAddress,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    if staff is None:
        ctx.links.signer.require(Purpose.CONSULTATION, consultation_id, token)
        slot = await ctx.consultations.cancel(consultation_id, by="participant", client=client)
    else:
        slot = await ctx.consultations.cancel(consultation_id, by="staff")
    return {
        "consultation_id": consultation_id,
        "status": "cancelled",
        "slot": rules.slot_public(slot),
    }


@router.post("/consultations/{consultation_id}/complete")
async def complete_consultation(
    consultation_id: str, ctx: Context, user: StaffUser, body: rules.OutcomeIn | None = None
) -> dict[str, Any]:
    slot = await ctx.consultations.finish(consultation_id, "completed", body or rules.OutcomeIn())
    return rules.slot_staff(slot)


@router.post("/consultations/{consultation_id}/no-show")
async def consultation_no_show(
    consultation_id: str, ctx: Context, user: StaffUser, body: rules.OutcomeIn | None = None
) -> dict[str, Any]:
    slot = await ctx.consultations.finish(consultation_id, "no_show", body or rules.OutcomeIn())
    return rules.slot_staff(slot)


@router.post("/consultations", status_code=201)
async def record_consultation_given(
    body: rules.GivenIn, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Record a consultation already given (issue 7); the same ``key`` twice records one."""
    slot, created = await ctx.consultations.record_given(body)
    return {**rules.slot_staff(slot), "created": created}
