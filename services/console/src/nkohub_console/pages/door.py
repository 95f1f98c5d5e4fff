"""At the door (made for a phone's width): check in by the short code (typed, or read by a
USB scanner or a phone from the QR code), or find a name; add a walk-in, checked in at
once; who came and who is still expected; the sign-in sheet and badges as PDFs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nkohub_console.domain import door as rules
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.vocabulary import PARTICIPANT_ROLES
from nkohub_console.pages.common import (
    Staff,
    StaffForm,
    StaffPage,
    download,
    redirect,
    text,
    values,
)
from nkohub_console.service.clients import ServiceRefused
from nkohub_shared.errors import DomainError

router = APIRouter(prefix="/door")
SOON = timedelta(days=1)


@router.get("")
async def choose(staff: StaffPage) -> Response:
    """Meetups of today (and those in progress): one tap to their door page."""
    found = await staff.services.events.meetups(status="scheduled")
    now = datetime.now(UTC)
    found.sort(key=lambda m: m["starts_at"])
    near = [
        m for m in found if _moment(m["starts_at"]) - SOON <= now <= _moment(m["ends_at"]) + SOON
    ]
    if len(near) == 1:
        return redirect(f"/door/{near[0]['meetup_id']}")
    return staff.render("door_choose.html", near=near, later=[m for m in found if m not in near])


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _door(
    staff: Staff,
    meetup_id: str,
    *,
    q: str | None = None,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    checked: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    events = staff.services.events
    meetup, rows = await asyncio.gather(
        events.meetup(meetup_id), events.registrations(meetup_id, status="confirmed")
    )
    came = [r for r in rows if r.get("checked_in_at")]
    expected = [r for r in rows if not r.get("checked_in_at")]
    came.sort(key=lambda r: r["checked_in_at"], reverse=True)
    expected.sort(key=lambda r: r["name"])
    found = await events.registrations(meetup_id, q=q) if q else None
    return staff.render(
        "door.html",
        status_code=status_code,
        meetup=meetup,
        came=came,
        expected=expected,
        found=found,
        q=q or "",
        errors=errors or FormErrors(),
        form=form or {},
        checked=checked,
    )


@router.get("/{meetup_id}")
async def door(
    meetup_id: str,
    staff: StaffPage,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    return await _door(staff, meetup_id, q=q)


@router.post("/{meetup_id}/code")
async def check_in_by_code(meetup_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    errors = FormErrors()
    try:
        code = rules.clean_code(text(form, "short_code"))
        done = await staff.services.events.check_in_code(meetup_id, code)
    except DomainError as exc:
        errors.add("short_code", exc.message)
    except ServiceRefused as exc:
        message = (
            "код не найден среди регистраций этой встречи" if exc.status == 404 else exc.message
        )
        errors.add("short_code", message)
    if errors:
        return await _door(staff, meetup_id, errors=errors, form=values(form), status_code=422)
    return await _door(staff, meetup_id, checked=done)


@router.post("/{meetup_id}/walk-in")
async def walk_in(meetup_id: str, staff_form: StaffForm) -> Response:
    """A person without a registration: their consent is asked at the desk; the events
    service records the attendance from a one-line sign-in sheet."""
    staff, form = staff_form
    typed = values(form)
    errors = FormErrors()
    if form.get("consent") != "on":
        errors.add("consent", "без согласия на обработку персональных данных не записываем")
    role = text(form, "role")
    if role not in PARTICIPANT_ROLES:
        errors.add("role", "выберите роль")
    try:
        sheet = rules.walk_in_sheet(
            text(form, "name"),
            PARTICIPANT_ROLES.get(role, ""),
            text(form, "organization"),
            text(form, "contact"),
        )
    except DomainError as exc:
        errors.add(exc.field, exc.message)
    if errors:
        return await _door(staff, meetup_id, errors=errors, form=typed, status_code=422)
    try:
        result = await staff.services.events.import_sheet(meetup_id, "walk-in.csv", sheet)
    except ServiceRefused as exc:
        errors.add(None, exc.message)
        return await _door(staff, meetup_id, errors=errors, form=typed, status_code=exc.status)
    problems = result.get("errors") or []
    if problems:
        for p in problems:
            errors.add(None, str(p.get("message") or p))
        return await _door(staff, meetup_id, errors=errors, form=typed, status_code=422)
    return redirect(f"/door/{meetup_id}", "walk_in")


@router.get("/{meetup_id}/{kind}.pdf")
async def printable(meetup_id: str, kind: str, staff: StaffPage) -> Response:
    if kind not in ("sign-in-sheet", "badges"):
        return redirect(f"/door/{meetup_id}")
    got = await staff.services.events.sheet_pdf(meetup_id, kind)
    return download(got.content, "application/pdf", got.filename)
