"""Public pages, server-rendered in Russian (Jinja2 with autoescape), working without
JavaScript: upcoming meetups, a meetup with its program, free seats, consultation slots,
approved questions and the registration form; confirmation, cancellation and feedback
pages reached from e-mail links (the same signed links the notifications service sends).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from nkohub_events.api.deps import Context
from nkohub_events.domain import meetups as meetup_rules
from nkohub_events.domain.common import DEFAULT_TZ, ROLE_LABELS, SPECIALTY_LABELS, local, utcnow
from nkohub_events.domain.consent import CONSENT_TEXT, MAILING_TEXT
from nkohub_events.domain.consultations import BookingIn, slot_public
from nkohub_events.domain.questions import FeedbackIn, QuestionIn, question_public
from nkohub_events.domain.registrations import RegistrationIn
from nkohub_events.printouts.qr import qr_svg
from nkohub_shared.errors import DomainError
from nkohub_shared.links import Purpose
from nkohub_shared.russian import date_ru
from nkohub_shared.storage.writeclock import WriteClock
from nkohub_shared.web import accessibility
from nkohub_shared.web.caching import (
    ResponseCache,
    answered_from_cache,
    public_get_key,
)
from nkohub_shared.web.clients import ClientAddress

FIELD_LABELS = {
    "name": "имя",
    "email": "электронная почта",
    "phone": "телефон",
    "role": "роль",
    "organization_ogrn": "ОГРН",
    "organization_name": "организация",
    "organization_id": "организация",
    "consent_personal_data": "согласие на обработку персональных данных",
    "consent_text_version": "текст согласия",
    "rating": "оценка",
    "comment": "комментарий",
    "meetup_id": "встреча",
    "registration_id": "регистрация",
    "token": "ссылка",
    "slot_id": "время консультации",
    "contact": "контактное лицо",
    "question": "вопрос",
    "text": "вопрос",
    "addressed_to": "кому",
    "program_position": "пункт программы",
}
QUESTION_ERRORS = {
    "text": "Напишите вопрос: от 3 до 2000 знаков.",
    "addressed_to": "Проверьте, кому адресован вопрос.",
    "program_position": "Выберите пункт программы из списка.",
}


def _when(value: datetime, tz: str = DEFAULT_TZ) -> str:
    return date_ru(value, tz, with_time=True)


def _clock(value: datetime, tz: str = DEFAULT_TZ) -> str:
    return f"{local(value, tz):%H:%M}"


templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
templates.filters["when"] = _when
templates.filters["clock"] = _clock
accessibility.install(templates)

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[accessibility.REMEMBER])
router.include_router(accessibility.router)  # the switch of the visually impaired version

# Rendered pages (and the .ics feed), fresh while what they show saw no write on any
# replica (another replica's change arrives as a note through the broker; without the
# notes, a few seconds at most; seats are informative here, the registration itself is the
# atomic check; nkohub_shared.web.caching).
PAGES = ResponseCache()
MEETUPS_READS = ("meetups",)
MEETUP_READS = ("meetups", "slots", "questions", "organizations")


def _reading(
    collections: tuple[str, ...],
) -> Callable[[Request], tuple[str, tuple[str, ...], WriteClock]]:
    def where(request: Request) -> tuple[str, tuple[str, ...], WriteClock]:
        runtime = request.app.state.runtime
        return runtime.db.name, collections, runtime.writes

    return where


# A cached page or feed goes out before FastAPI resolves the route's dependencies
# (``caching.answered_from_cache``); the pages are routed before the API's (no path of
# one matches the other's), a few route matches away instead of some hundred.
MEETUPS_EARLY = answered_from_cache(PAGES, _reading(MEETUPS_READS))
MEETUP_EARLY = answered_from_cache(PAGES, _reading(MEETUP_READS))
front_router = APIRouter(
    tags=["pages"], include_in_schema=False, dependencies=[accessibility.REMEMBER]
)


def render(name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=http_status)


def _message(heading: str, message: str, status: int) -> HTMLResponse:
    return render("message.html", status, heading=heading, message=message)


def _bad_link() -> HTMLResponse:
    return _message("Ссылка недействительна", "Проверьте ссылку из письма.", 403)


def _refused(response: HTMLResponse, exc: Exception) -> HTMLResponse:
    """A refusal page; a rate limit's (429) says when to come back, as the API does."""
    retry_after = exc.details.get("retry_after") if isinstance(exc, DomainError) else None
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        names = ", ".join(FIELD_LABELS.get(f, f) for f in sorted(fields))
        return f"Проверьте поля: {names}."
    if isinstance(exc, DomainError):
        if exc.status_code == 429:
            return exc.message  # already a Russian sentence saying what to do
        label = FIELD_LABELS.get(exc.field or "", exc.field or "")
        if not _CYRILLIC.search(exc.message):  # the rules speak English; a page must not
            return f"Проверьте поле: {label}." if label else "Не получилось."
        return f"Не получилось: {exc.message}" + (f" (поле: {label})." if label else ".")
    return "Не получилось."


_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _invalid(exc: Exception) -> list[str]:
    """The form fields a refusal names (``contact.email``), so the page can mark them."""
    if isinstance(exc, ValidationError):
        return [".".join(str(p) for p in e["loc"]) for e in exc.errors() if e.get("loc")]
    if isinstance(exc, DomainError) and exc.field:
        return [exc.field]
    return []


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/meetups", status_code=303)


async def upcoming(ctx: Context, request: Request) -> Response:
    async def build() -> Response:
        meetups = await ctx.meetups.list(statuses=["scheduled"], starts_from=utcnow())
        for m in meetups:
            m["seats_free"] = meetup_rules.seats_free(m)
        return render("meetups.html", meetups=meetups, subscribe_url=_subscribe_url(ctx))

    return await PAGES.respond(
        request,
        database=ctx.runtime.db.name,
        clock=ctx.runtime.writes,
        collections=MEETUPS_READS,
        key=public_get_key(request),
        build=build,
    )


front_router.add_api_route(
    "/meetups", upcoming, methods=["GET"], route_class_override=MEETUPS_EARLY
)


async def _meetup_page(
    ctx: Context,
    meetup_id: str,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    booking_error: str | None = None,
    asker: dict[str, str] | None = None,
    question: dict[str, Any] | None = None,
    invalid: list[str] | None = None,
) -> HTMLResponse:
    """The meetup's page; ``asker`` (a registration and its link's token, from the
    confirmation e-mail) opens the question form, ``question`` is its state (the text
    typed, errors by field, or ``done``)."""
    try:
        m = await ctx.meetups.get_published(meetup_id)
    except DomainError:
        return _message("Встреча не найдена", "Такой встречи нет.", 404)
    slots = [slot_public(s) for s in await ctx.consultations.slots(m["_id"], staff=False)]
    questions = [question_public(q) for q in await ctx.questions.public(m["_id"])]
    problem = meetup_rules.registration_window_error(m, utcnow())
    limit = meetup_rules.seat_limit(m)
    version = ctx.registrations.consent_version
    closed = {
        "registration has not opened yet": "Регистрация ещё не открыта.",
        "registration is closed": "Регистрация закрыта.",
    }
    m = {**m, "program": meetup_rules.public_program(m.get("program"))}
    return render(
        "meetup.html",
        status,
        m=m,
        kind_label=meetup_rules.KIND_LABELS.get(m["kind"], m["kind"]),
        program_labels=meetup_rules.PROGRAM_LABELS,
        specialty_labels=SPECIALTY_LABELS,
        seats_free=meetup_rules.seats_free(m),
        seats_total=limit,
        waitlist=max(0, m.get("waiting", 0)),
        slots=slots,
        free_slots=[s for s in slots if not s["booked"] and s["starts_at"] > utcnow()],
        booking_error=booking_error,
        questions=questions,
        open=problem is None,
        closed_reason=closed.get(problem or "", "Регистрация недоступна."),
        roles=ROLE_LABELS,
        consent_version=version,
        consent_text=CONSENT_TEXT.get(version, ""),
        mailing_text=MAILING_TEXT,
        error=error,
        form=form or {},
        asker=asker,
        question=question or {"form": {}, "errors": {}},
        asking_open=m["status"] == "scheduled" and m["ends_at"] > utcnow(),
        subscribe_url=_subscribe_url(ctx),
        invalid=invalid or [],
    )


def _subscribe_url(ctx: Context) -> str:
    base = str(ctx.runtime.settings.notifications_public_url).rstrip("/")
    return f"{base}/subscribe?topic=meetups"


def _asker(ctx: Context, registration: str, token: str) -> dict[str, str] | None:
    """The participant a link from their confirmation names (its token checked)."""
    if registration and ctx.links.signer.valid(Purpose.REGISTRATION, registration, token):
        return {"registration": registration, "token": token}
    return None


async def meetup_page(
    meetup_id: str, ctx: Context, request: Request, registration: str = "", token: str = ""
) -> Response:
    """With ``?registration=…&token=…`` (the link in the confirmation e-mail) the page
    also shows the form for a question to the speakers and officials: that page is the
    participant's own and never cached; the public page is."""
    if registration or token:
        return await _meetup_page(ctx, meetup_id, asker=_asker(ctx, registration, token))
    return await PAGES.respond(
        request,
        database=ctx.runtime.db.name,
        clock=ctx.runtime.writes,
        collections=MEETUP_READS,
        key=public_get_key(request),
        build=lambda: _meetup_page(ctx, meetup_id),
    )


front_router.add_api_route(
    "/meetups/{meetup_id}", meetup_page, methods=["GET"], route_class_override=MEETUP_EARLY
)


@router.post("/meetups/{meetup_id}/questions/form")
async def question_form(
    meetup_id: str,
    request: Request,
    ctx: Context,
    client: ClientAddress,
    registration: str = "",
    token: str = "",
) -> HTMLResponse:
    """The question form's POST: the same use case as ``POST /api/v1/meetups/{id}/questions``
    (moderated before it is shown; the shared limits of the public door)."""
    asker = _asker(ctx, registration, token)
    if asker is None:
        return _bad_link()
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    data: dict[str, Any] = {"registration_id": registration, "token": token}
    data["text"] = form.get("text", "")
    target = form.get("addressed_to", "")
    if target.isdigit():
        data["program_position"] = int(target)
    elif target:
        data["addressed_to"] = target
    try:
        body = QuestionIn.model_validate(data)
        await ctx.questions.submit(meetup_id, body, client=client)
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        errors = {f: QUESTION_ERRORS.get(f, "Проверьте это поле.") for f in fields}
        state = {"form": form, "errors": errors}
        return await _meetup_page(ctx, meetup_id, status=422, asker=asker, question=state)
    except DomainError as exc:
        field = exc.field if exc.field in QUESTION_ERRORS else "form"
        message = exc.message if exc.status_code == 429 else _explain(exc)
        if field != "form" and exc.status_code != 429:
            message = QUESTION_ERRORS[field]
        if exc.field == "meetup_id":
            message = "Вопросы принимаются до и во время встречи."
        state = {"form": form, "errors": {field: message}}
        page = await _meetup_page(
            ctx, meetup_id, status=exc.status_code, asker=asker, question=state
        )
        return _refused(page, exc)
    done = {"form": {}, "errors": {}, "done": True}
    return await _meetup_page(ctx, meetup_id, status=201, asker=asker, question=done)


@router.post("/meetups/{meetup_id}/register")
async def register_form(
    meetup_id: str, request: Request, ctx: Context, client: ClientAddress
) -> HTMLResponse:
    raw = dict(await request.form())
    form = {k: str(v).strip() for k, v in raw.items()}
    data = {k: v for k, v in form.items() if v and k not in ("consent_personal_data",)}
    data["consent_personal_data"] = form.get("consent_personal_data") == "yes"
    data["mailing_consent"] = form.get("mailing_consent") == "yes"
    try:
        body = RegistrationIn.model_validate(data)
        r, created = await ctx.registrations.register(meetup_id, body, client=client)
    except (ValidationError, DomainError) as exc:
        status = getattr(exc, "status_code", 422)
        page = await _meetup_page(
            ctx, meetup_id, error=_explain(exc), form=form, status=status, invalid=_invalid(exc)
        )
        return _refused(page, exc)
    m = await ctx.meetups.get(r["meetup_id"])
    return render(
        "confirmation.html",
        201 if created else 200,
        m=m,
        already=not created,
        reg_status=r["status"],
        email=r["email"],
        position=await ctx.registrations.position(r) if created else None,
    )


@router.post("/meetups/{meetup_id}/consultations")
async def book_consultation_form(
    meetup_id: str, request: Request, ctx: Context, client: ClientAddress
) -> HTMLResponse:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    try:
        body = BookingIn.model_validate(
            {
                "organization_name": form.get("organization_name") or None,
                "organization_ogrn": form.get("organization_ogrn") or None,
                "contact": {
                    "name": form.get("contact_name", ""),
                    "email": form.get("contact_email", ""),
                },
                "question": form.get("question") or None,
                "consent_personal_data": form.get("consent_personal_data") == "yes",
            }
        )
        slot = await ctx.consultations.book(
            form.get("slot_id", ""), body, at_meetup=meetup_id, client=client
        )
    except (ValidationError, DomainError) as exc:
        status = getattr(exc, "status_code", 422)
        page = await _meetup_page(
            ctx, meetup_id, booking_error=_explain(exc), status=status, invalid=_invalid(exc)
        )
        return _refused(page, exc)
    m = await ctx.meetups.get(slot["meetup_id"])
    return render(
        "cancel.html",
        201,
        title="Запись на консультацию",
        heading="Консультация",
        a11y_back=f"/meetups/{meetup_id}",  # the version's switch returns to the meetup
        done=(
            f"Вы записаны: {slot['specialist']['name']}, {_when(slot['starts_at'], m['timezone'])}."
            " Письмо со ссылкой для отмены отправлено на адрес "
            f"{slot['booking']['contact']['email']}."
        ),
    )


@router.get("/registrations/{registration_id}")
async def registration_page(
    registration_id: str, ctx: Context, token: str | None = None
) -> HTMLResponse:
    """The participant's ticket, reached by the signed link mailed to the registered
    address (never shown to whoever submitted the form): the status and, once a seat is
    confirmed, the door code as text and as a QR code (inline SVG drawn on the server)
    that a phone camera or a USB scanner at the door reads."""
    if not ctx.links.signer.valid(Purpose.REGISTRATION, registration_id, token):
        return _bad_link()
    r = await ctx.registrations.get(registration_id)
    m = await ctx.meetups.get(r["meetup_id"])
    code = r.get("short_code") if r["status"] == "confirmed" else None
    return render(
        "confirmation.html",
        ticket=True,
        m=m,
        reg_status=r["status"],
        person_name=r["name"],
        position=await ctx.registrations.position(r),
        code=code,
        qr=qr_svg(code, title=f"Код для входа {code}") if code else None,
        cancel_url=ctx.links.registration_cancel(registration_id, base="")
        if r["status"] in ("confirmed", "waitlisted")
        else None,
    )


@router.get("/registrations/{registration_id}/cancel")
async def cancel_registration_page(
    registration_id: str, ctx: Context, token: str | None = None
) -> HTMLResponse:
    """Shows what will be cancelled; only the POST cancels (mail scanners follow GETs)."""
    if not ctx.links.signer.valid(Purpose.REGISTRATION, registration_id, token):
        return _bad_link()
    r = await ctx.registrations.get(registration_id)
    m = await ctx.meetups.get(r["meetup_id"])
    if r["status"] == "cancelled":
        return render("cancel.html", heading=m["title"], done="Регистрация уже отменена.")
    return render(
        "cancel.html",
        heading=m["title"],
        question=f"Отменить регистрацию на встречу {_when(m['starts_at'], m['timezone'])}?",
        action=ctx.links.registration_cancel(registration_id, base=""),
    )


@router.post("/registrations/{registration_id}/cancel")
async def cancel_registration_form(
    registration_id: str, ctx: Context, client: ClientAddress, token: str | None = None
) -> HTMLResponse:
    if not ctx.links.signer.valid(Purpose.REGISTRATION, registration_id, token):
        return _bad_link()
    r = await ctx.registrations.get(registration_id)
    m = await ctx.meetups.get(r["meetup_id"])
    try:
        await ctx.registrations.cancel(registration_id, by="participant", client=client)
    except DomainError as exc:
        page = render("cancel.html", exc.status_code, heading=m["title"], error=_explain(exc))
        return _refused(page, exc)
    return render(
        "cancel.html", heading=m["title"], done="Регистрация отменена. Спасибо, что предупредили!"
    )


@router.get("/consultations/{consultation_id}/cancel")
async def cancel_consultation_page(
    consultation_id: str, ctx: Context, token: str | None = None
) -> HTMLResponse:
    if not ctx.links.signer.valid(Purpose.CONSULTATION, consultation_id, token):
        return _bad_link()
    slot = await ctx.consultations.by_consultation(consultation_id)
    booked = (slot.get("booking") or {}).get("consultation_id") == consultation_id
    if not booked:
        return render(
            "cancel.html",
            title="Отмена консультации",
            heading="Консультация",
            done="Консультация уже отменена.",
        )
    return render(
        "cancel.html",
        title="Отмена консультации",
        heading="Консультация",
        question=(
            f"Отменить консультацию ({slot['specialist']['name']}) {_when(slot['starts_at'])}?"
        ),
        action=ctx.links.consultation_cancel(consultation_id, base=""),
    )


@router.post("/consultations/{consultation_id}/cancel")
async def cancel_consultation_form(
    consultation_id: str, ctx: Context, client: ClientAddress, token: str | None = None
) -> HTMLResponse:
    if not ctx.links.signer.valid(Purpose.CONSULTATION, consultation_id, token):
        return _bad_link()
    try:
        await ctx.consultations.cancel(consultation_id, by="participant", client=client)
    except DomainError as exc:
        page = render(
            "cancel.html",
            exc.status_code,
            title="Отмена консультации",
            heading="Консультация",
            error=_explain(exc),
        )
        return _refused(page, exc)
    return render(
        "cancel.html",
        title="Отмена консультации",
        heading="Консультация",
        done="Консультация отменена.",
    )


@router.get("/meetups/{meetup_id}/feedback")
async def feedback_page(
    meetup_id: str, ctx: Context, registration: str = "", token: str = ""
) -> HTMLResponse:
    if not ctx.links.signer.valid(Purpose.REGISTRATION, registration, token):
        return _bad_link()
    m = await ctx.meetups.get_published(meetup_id)
    return render("feedback.html", m=m, registration_id=registration, token=token)


@router.post("/meetups/{meetup_id}/feedback")
async def feedback_form(
    meetup_id: str,
    request: Request,
    ctx: Context,
    client: ClientAddress,
    registration: str = "",
    token: str = "",
) -> HTMLResponse:
    if not ctx.links.signer.valid(Purpose.REGISTRATION, registration, token):
        return _bad_link()
    m = await ctx.meetups.get_published(meetup_id)
    form = dict(await request.form())
    try:
        body = FeedbackIn(
            registration_id=registration,
            token=token,
            rating=form.get("rating", ""),
            comment=str(form.get("comment", "")).strip() or None,
        )
        await ctx.questions.leave_feedback(m["_id"], body, client=client)
    except (ValidationError, DomainError) as exc:
        page = render(
            "feedback.html",
            getattr(exc, "status_code", 422),
            m=m,
            registration_id=registration,
            token=token,
            error=_explain(exc),
        )
        return _refused(page, exc)
    return render("feedback.html", m=m, done="Спасибо за отзыв!")
