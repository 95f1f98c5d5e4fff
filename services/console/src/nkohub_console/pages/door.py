"""At the door (made for a phone's width): check in by the short code (typed, or read by a
USB scanner or a phone from the QR code), or find a name; add a walk-in, checked in at
once; who came and who is still expected; the sign-in sheet and badges as PDFs."""

from __future__ import annotations

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
    meetup = await events.meetup(meetup_id)
    published = meetup["status"] != "draft"  # a draft has no registrations to list
    rows = await events.registrations(meetup_id, status="confirmed") if published else []
    came = [r for r in rows if r.get("checked_in_at")]
    expected = [r for r in rows if not r.get("checked_in_at")]
    came.sort(key=lambda r: r["checked_in_at"], reverse=True)
    expected.sort(key=lambda r: r["name"])
    found = await events.registrations(meetup_id, q=q) if q and published else None
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
    """A person without a registration, with their consent given at the desk: registered
    and checked in at once. When the events service takes no walk-in — it has none (it
    refuses the ``checked_in`` field), or the meetup is not open at the door (a draft
    recorded afterwards, a completed one) — a one-line sign-in sheet records them."""
    staff, form = staff_form
    typed = values(form)
    errors = FormErrors()
    if form.get("consent") != "on":
        errors.add("consent", "без согласия на обработку персональных данных не записываем")
    role = text(form, "role")
    if role not in PARTICIPANT_ROLES:
        errors.add("role", "выберите роль")
    if not text(form, "name"):
        errors.add("name", "укажите имя")
    if errors:
        return await _door(staff, meetup_id, errors=errors, form=typed, status_code=422)
    person: dict[str, Any] = {
        "name": text(form, "name"),
        "role": role,
        "consent_personal_data": True,
    }
    if text(form, "organization"):
        person["organization_name"] = text(form, "organization")
    if text(form, "contact"):
        person["email"] = text(form, "contact")
    events = staff.services.events
    try:
        try:
            await events.walk_in(meetup_id, person)
        except ServiceRefused as exc:
            if not _sheet_instead(exc):
                raise
            await _walk_in_by_sheet(staff, meetup_id, person, errors)
    except ServiceRefused as exc:
        aliases = {"organization_name": "organization", "email": "contact"}
        aliases["consent_personal_data"] = "consent"
        errors = exc.errors(aliases)
    if errors:
        return await _door(staff, meetup_id, errors=errors, form=typed, status_code=422)
    return redirect(f"/door/{meetup_id}", "walk_in")


def _fields(exc: ServiceRefused) -> set[str]:
    return {str(f.get("field")) for f in exc.fields}


def _sheet_instead(exc: ServiceRefused) -> bool:
    """The events service has no walk-ins (422 on ``checked_in``), or takes none at this
    meetup's door: 409 on ``meetup_id`` (a draft recorded afterwards, or completed). Then
    a sign-in sheet of one line records who came."""
    if exc.status == 422:
        return "checked_in" in {exc.field, *_fields(exc)}
    return exc.status == 409 and exc.field == "meetup_id"


async def _walk_in_by_sheet(
    staff: Staff, meetup_id: str, person: dict[str, Any], errors: FormErrors
) -> None:
    try:
        sheet = rules.walk_in_sheet(
            person["name"],
            PARTICIPANT_ROLES[person["role"]],
            person.get("organization_name", ""),
            person.get("email", ""),
        )
    except DomainError as exc:
        errors.add(exc.field, exc.message)
        return
    result = await staff.services.events.import_sheet(meetup_id, "walk-in.csv", sheet)
    for problem in result.get("errors") or []:
        errors.add(None, str(problem.get("message") or problem))


@router.get("/{meetup_id}/{kind}.pdf")
async def printable(meetup_id: str, kind: str, staff: StaffPage) -> Response:
    if kind not in ("sign-in-sheet", "badges"):
        return redirect(f"/door/{meetup_id}")
    got = await staff.services.events.sheet_pdf(meetup_id, kind)
    return download(got.content, "application/pdf", got.filename)
