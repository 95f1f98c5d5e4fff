"""Meetups: the list; create and edit (with the program); copy a past meetup to a new
date; publish, cancel, complete; registrations with search, filters and export; questions
moderation; consultation slots and specialists; the feedback summary."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nkohub_console.domain import meetup_form
from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import (
    Staff,
    StaffForm,
    StaffPage,
    download,
    history_of,
    redirect,
    text,
    values,
)
from nkohub_console.service.clients import ServiceRefused

router = APIRouter(prefix="/meetups")
SHOWS = {
    "upcoming": "предстоящие",
    "draft": "черновики",
    "completed": "прошедшие",
    "cancelled": "отменённые",
    "all": "все",
}


@router.get("")
async def meetups(staff: StaffPage, show: str = "upcoming") -> Response:
    events = staff.services.events
    if show == "upcoming":
        found = await events.meetups(upcoming=True)
        found = [m for m in found if m["status"] in ("draft", "scheduled")]
    elif show in ("draft", "completed", "cancelled"):
        found = await events.meetups(status=show)
    else:
        show, found = "all", await events.meetups()
    found.sort(key=lambda m: m["starts_at"], reverse=show != "upcoming")
    past = await events.meetups(status="completed")
    past.sort(key=lambda m: m["starts_at"], reverse=True)
    return staff.render(
        "meetups.html", meetups=found, show=show, shows=SHOWS, last=past[0] if past else None
    )


# -- create and edit ---------------------------------------------------------------------


def _form_page(
    staff: Staff,
    *,
    form: dict[str, Any],
    errors: FormErrors | None = None,
    meetup: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return staff.render(
        "meetup_form.html",
        status_code=status_code,
        form=form,
        errors=errors or FormErrors(),
        meetup=meetup,
        program_rows=meetup_form.program_count(form),
    )


@router.get("/new")
async def new_meetup(staff: StaffPage) -> Response:
    return _form_page(staff, form={"waitlist_enabled": "on", "kind": "meetup"})


def _refused_errors(exc: ServiceRefused) -> FormErrors:
    fields = [f.get("field", "") for f in exc.fields] + [exc.field or ""]
    return exc.errors(meetup_form.aliases_for([f for f in fields if f]))


@router.post("/new")
async def create_meetup(staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    fields, errors = meetup_form.meetup_fields(typed)
    if errors:
        return _form_page(staff, form=typed, errors=errors, status_code=422)
    try:
        created = await staff.services.events.create_meetup(fields)
    except ServiceRefused as exc:
        return _form_page(staff, form=typed, errors=_refused_errors(exc), status_code=exc.status)
    return redirect(f"/meetups/{created['meetup_id']}", "created")


@router.get("/{meetup_id}/edit")
async def edit_meetup(meetup_id: str, staff: StaffPage) -> Response:
    meetup = await staff.services.events.meetup(meetup_id)
    return _form_page(staff, form=meetup_form.form_of(meetup), meetup=meetup)


@router.post("/{meetup_id}/edit")
async def save_meetup(meetup_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    meetup = await staff.services.events.meetup(meetup_id)
    fields, errors = meetup_form.meetup_fields(typed, for_patch=True)
    if errors:
        return _form_page(staff, form=typed, errors=errors, meetup=meetup, status_code=422)
    try:
        await staff.services.events.update_meetup(meetup_id, fields)
    except ServiceRefused as exc:
        return _form_page(
            staff, form=typed, errors=_refused_errors(exc), meetup=meetup, status_code=exc.status
        )
    return redirect(f"/meetups/{meetup_id}", "saved")


# -- one meetup --------------------------------------------------------------------------


async def _meetup_page(
    staff: Staff,
    meetup_id: str,
    *,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    meetup = await staff.services.events.meetup(meetup_id)
    return staff.render(
        "meetup.html",
        status_code=status_code,
        meetup=meetup,
        history=await history_of(staff, meetup),
        errors=errors or FormErrors(),
        form=form or {},
        public_url=f"{staff.ctx.settings.public_url('events')}/meetups/{meetup_id}",
    )


@router.get("/{meetup_id}")
async def meetup_page(meetup_id: str, staff: StaffPage) -> Response:
    return await _meetup_page(staff, meetup_id)


@router.post("/{meetup_id}/copy")
async def copy_meetup(meetup_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    errors = FormErrors()
    try:
        meetup = await staff.services.events.meetup(meetup_id)
        starts_at = meetup_form.copy_start(
            text(form, "copy_date"), text(form, "copy_time"), meetup.get("timezone") or ""
        )
    except ValueError:
        errors.add("copy_date", "укажите дату новой встречи")
    if errors:
        return await _meetup_page(staff, meetup_id, errors=errors, form=typed, status_code=422)
    try:
        copy = await staff.services.events.copy_meetup(meetup_id, starts_at)
    except ServiceRefused as exc:
        errors.add("copy_date", exc.message)
        return await _meetup_page(
            staff, meetup_id, errors=errors, form=typed, status_code=exc.status
        )
    return redirect(f"/meetups/{copy['meetup_id']}", "copied")


@router.post("/{meetup_id}/{action}")
async def move_meetup(meetup_id: str, action: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    if action not in ("publish", "cancel", "complete"):
        return redirect(f"/meetups/{meetup_id}")
    try:
        await staff.services.events.move_meetup(meetup_id, action, text(form, "reason") or None)
    except ServiceRefused as exc:
        errors = FormErrors()
        errors.add(None, exc.errors().fields.get(exc.field or "", exc.message))
        return await _meetup_page(staff, meetup_id, errors=errors, status_code=exc.status)
    done = {"publish": "published", "cancel": "cancelled", "complete": "completed"}[action]
    return redirect(f"/meetups/{meetup_id}", done)


# -- registrations -----------------------------------------------------------------------

Filter = Annotated[str | None, Query(max_length=100)]


@router.get("/{meetup_id}/registrations")
async def registrations(
    meetup_id: str,
    staff: StaffPage,
    q: Filter = None,
    status: Filter = None,
    role: Filter = None,
) -> Response:
    events = staff.services.events
    meetup, rows = await asyncio.gather(
        events.meetup(meetup_id),
        events.registrations(meetup_id, status=status, role=role, q=q),
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return staff.render(
        "registrations.html",
        meetup=meetup,
        rows=rows,
        counts=counts,
        form={"q": q or "", "status": status or "", "role": role or ""},
        query=staff.request.url.query,
    )


@router.get("/{meetup_id}/registrations.{fmt}")
async def export_registrations(
    meetup_id: str,
    fmt: str,
    staff: StaffPage,
    q: Filter = None,
    status: Filter = None,
    role: Filter = None,
) -> Response:
    if fmt not in ("csv", "xlsx"):
        return redirect(f"/meetups/{meetup_id}/registrations")
    got = await staff.services.events.registrations_file(
        meetup_id, fmt, status=status, role=role, q=q
    )
    return download(got.content, got.media_type, got.filename)


@router.post("/{meetup_id}/registrations/{registration_id}/{action}")
async def registration_action(
    meetup_id: str, registration_id: str, action: str, staff_form: StaffForm
) -> Response:
    staff, form = staff_form
    events = staff.services.events
    if action == "cancel":
        await events.cancel_registration(registration_id)
        done = "cancelled"
    else:
        await events.check_in(registration_id)
        done = "checked_in"
    back = text(form, "back") or f"/meetups/{meetup_id}/registrations"
    return redirect(back if back.startswith("/meetups/") or back.startswith("/door") else "/", done)


# -- questions ---------------------------------------------------------------------------


@router.get("/{meetup_id}/questions")
async def questions(meetup_id: str, staff: StaffPage) -> Response:
    events = staff.services.events
    meetup, found = await asyncio.gather(events.meetup(meetup_id), events.questions(meetup_id))
    order = {"submitted": 0, "approved": 1, "answered": 2, "merged": 3, "rejected": 4}
    found.sort(key=lambda q: (order.get(q["status"], 9), q.get("submitted_at") or ""))
    return staff.render("questions.html", meetup=meetup, questions=found)


@router.post("/{meetup_id}/questions/{question_id}/{action}")
async def moderate(
    meetup_id: str, question_id: str, action: str, staff_form: StaffForm
) -> Response:
    staff, form = staff_form
    body: dict[str, Any] | None = None
    if action == "approve" and text(form, "text"):
        body = {"text": text(form, "text")}
    elif action == "merge":
        body = {"into": text(form, "into")}
    elif action == "answer":
        body = {"answer": text(form, "answer")}
    elif action != "reject" and action != "approve":
        return redirect(f"/meetups/{meetup_id}/questions")
    await staff.services.events.moderate(question_id, action, body)
    return redirect(f"/meetups/{meetup_id}/questions", "moderated")


# -- consultations -----------------------------------------------------------------------


async def _consultations_page(
    staff: Staff,
    meetup_id: str,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    events = staff.services.events
    meetup, slots, specialists = await asyncio.gather(
        events.meetup(meetup_id), events.slots(meetup_id), events.specialists()
    )
    slots.sort(key=lambda s: s["starts_at"])
    return staff.render(
        "consultations.html",
        status_code=status_code,
        meetup=meetup,
        slots=slots,
        specialists=specialists,
        errors=errors or FormErrors(),
        form=form or {},
    )


@router.get("/{meetup_id}/consultations")
async def consultations(meetup_id: str, staff: StaffPage) -> Response:
    return await _consultations_page(staff, meetup_id)


@router.post("/{meetup_id}/consultations/slots")
async def add_slot(meetup_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    fields = {
        "specialist_id": text(form, "specialist_id"),
        "starts_at": text(form, "slot_starts_at") or None,
        "duration_minutes": int(text(form, "duration_minutes") or 30),
    }
    try:
        await staff.services.events.add_slot(meetup_id, fields)
    except ServiceRefused as exc:
        errors = exc.errors({"starts_at": "slot_starts_at"})
        return await _consultations_page(staff, meetup_id, errors, typed, exc.status)
    return redirect(f"/meetups/{meetup_id}/consultations", "created")


@router.post("/{meetup_id}/consultations/specialists")
async def add_specialist(meetup_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    fields = {
        "name": text(form, "specialist_name"),
        "specialty": text(form, "specialty"),
        "body": text(form, "specialist_body") or None,
        "email": text(form, "specialist_email") or None,
    }
    try:
        await staff.services.events.add_specialist(fields)
    except ServiceRefused as exc:
        aliases = {"name": "specialist_name", "email": "specialist_email"}
        aliases["body"] = "specialist_body"
        errors = exc.errors(aliases)
        return await _consultations_page(staff, meetup_id, errors, typed, exc.status)
    return redirect(f"/meetups/{meetup_id}/consultations", "created")


@router.post("/{meetup_id}/consultations/{consultation_id}/{action}")
async def consultation_action(
    meetup_id: str, consultation_id: str, action: str, staff_form: StaffForm
) -> Response:
    staff, _ = staff_form
    if action in ("complete", "no-show", "cancel"):
        await staff.services.events.consultation(consultation_id, action)
    return redirect(f"/meetups/{meetup_id}/consultations", "saved")


# -- feedback ----------------------------------------------------------------------------


@router.get("/{meetup_id}/feedback")
async def feedback(meetup_id: str, staff: StaffPage) -> Response:
    events = staff.services.events
    meetup, summary = await asyncio.gather(events.meetup(meetup_id), events.feedback(meetup_id))
    return staff.render("feedback.html", meetup=meetup, summary=summary)
