"""Mailings («Рассылки»): the list with each one's progress, a new mailing (subject,
Markdown body, a segment of every kind the notifications API offers) with the segment's
size and who it leaves out before anything is sent, the preview (a sandboxed frame), a
test to the staff member's own address, send now or at a Europe/Samara time, cancel a
scheduled one, and the progress page: «Обновить», or — when the person asks for it
(``?auto=1``) — a reload every ``REFRESH_SECONDS`` (``<meta http-equiv=refresh>``, no
JavaScript) with «Не обновлять» beside it; never unasked (WCAG 2.2.1, "Timing adjustable").
Translation only: every rule is the notifications service's, and its refusals are shown
next to the fields they name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.meetup_form import copy_start
from nkohub_console.domain.vocabulary import ACTIVITY_AREAS
from nkohub_console.pages.common import Staff, StaffForm, StaffPage, redirect, text, values
from nkohub_console.service.clients import ServiceRefused, ServiceUnavailable

router = APIRouter(prefix="/mailings")
PAGE = 20
REFRESH_SECONDS = 10  # only when asked for (``?auto=1``)

STATUSES = {
    "draft": "черновик",
    "scheduled": "запланирована",
    "sending": "отправляется",
    "sent": "отправлена",
    "cancelled": "отменена",
}
KINDS = {
    "organizations": "НКО реестра: их публичные адреса",
    "organization_people": "НКО реестра: их представители, давшие согласие",
    "meetup_registrants": "Участники встречи",
    "topic": "Подписчики темы",
    "list": "Выбранные адреса",
}
REGISTRANT_STATUSES = {
    "confirmed": "подтверждённые",
    "waitlisted": "в листе ожидания",
    "came": "пришли",
    "no_show": "не пришли",
}
TOPICS = {
    "mailings": "Рассылки библиотеки",
    "meetups": "Анонсы встреч",
    "grants": "Гранты: конкурсы и сроки",
    "blog": "Новое в блоге «Проект +»",
}
AUDIENCE = {
    "included": "получат письмо",
    "no_consent": "нет согласия на рассылку",
    "unsubscribed": "отписались",
    "no_address": "нет адреса почты",
}
PROGRESS = {
    "queued": "в очереди",
    "sending": "отправляются",
    "sent": "отправлено",
    "failed": "не доставлено",
    "suppressed": "не отправлялись (отписка, удаление)",
}
# what an action of these pages did (``?ok=``), beside the console's own ``DONE``
DONE = {
    "tested": "Проверочное письмо поставлено в очередь на ваш адрес.",
    "scheduled_mailing": "Рассылка запланирована.",
}
# the service's field names → the form's
ALIASES = {
    "segment": "kind",
    "segment.kind": "kind",
    "segment.activity_areas": "activity_areas",
    "segment.never_came": "never_came",
    "segment.meetup_id": "meetup_id",
    "segment.statuses": "statuses",
    "segment.topic": "topic",
    "segment.recipients": "recipients",
}
# the service's English refusals of a segment, in Russian
SEGMENT_MESSAGES = {
    "meetup_registrants needs meetup_id and at least one of statuses": (
        "выберите встречу и хотя бы один статус участников"
    ),
    "a topic segment needs topic": "выберите тему",
    "a list segment needs at least one recipient": "укажите хотя бы один адрес",
}
LABELS = {
    "done": DONE,
    "statuses": STATUSES,
    "kinds": KINDS,
    "registrant_statuses": REGISTRANT_STATUSES,
    "topics": TOPICS,
    "audience": AUDIENCE,
    "progress": PROGRESS,
    "areas": ACTIVITY_AREAS,
}


ATTACHABLE = 100  # of each kind, newest first


def segment_of(form: FormData) -> dict[str, Any]:
    """The API's segment from the form: only the fields of the chosen kind."""
    kind = text(form, "kind")
    segment: dict[str, Any] = {"kind": kind}
    if kind in ("organizations", "organization_people"):
        segment["activity_areas"] = [str(a) for a in form.getlist("activity_areas")]
        segment["never_came"] = bool(form.get("never_came"))
    elif kind == "meetup_registrants":
        segment["meetup_id"] = text(form, "meetup_id") or None
        segment["statuses"] = [str(s) for s in form.getlist("statuses")]
    elif kind == "topic":
        segment["topic"] = text(form, "topic") or None
    elif kind == "list":
        lines = text(form, "recipients").replace(",", "\n").splitlines()
        segment["recipients"] = [line.strip() for line in lines if line.strip()]
    return segment


def form_of(mailing: dict[str, Any]) -> dict[str, Any]:
    """A stored mailing as the form shows it."""
    segment = mailing.get("segment") or {}
    return {
        "subject": mailing.get("subject", ""),
        "body": mailing.get("body", ""),
        "kind": segment.get("kind", ""),
        "activity_areas": segment.get("activity_areas") or [],
        "never_came": "on" if segment.get("never_came") else "",
        "meetup_id": segment.get("meetup_id") or "",
        "statuses": segment.get("statuses") or [],
        "topic": segment.get("topic") or "",
        "recipients": "\n".join(segment.get("recipients") or []),
        "attachments": list(mailing.get("attachments") or []),
    }


def typed(form: FormData) -> dict[str, Any]:
    """What the person typed, lists included, to show back."""
    shown: dict[str, Any] = values(form)
    shown["activity_areas"] = [str(a) for a in form.getlist("activity_areas")]
    shown["statuses"] = [str(s) for s in form.getlist("statuses")]
    shown["attachments"] = [str(a) for a in form.getlist("attachments")]
    return shown


def refusal(exc: ServiceRefused) -> FormErrors:
    errors = FormErrors()
    for name, message in exc.errors(ALIASES).fields.items():
        errors.add(name, SEGMENT_MESSAGES.get(message.removeprefix("Value error, "), message))
    for message in exc.errors(ALIASES).general:
        errors.add(None, SEGMENT_MESSAGES.get(message.removeprefix("Value error, "), message))
    return errors


def describe(segment: dict[str, Any], meetups: dict[str, str] | None = None) -> str:
    """A segment in Russian, for the list and the mailing's page."""
    kind = segment.get("kind", "")
    words = KINDS.get(kind, kind)
    if kind in ("organizations", "organization_people"):
        areas = [ACTIVITY_AREAS.get(a, a) for a in segment.get("activity_areas") or []]
        if areas:
            words += ": " + ", ".join(areas)
        if segment.get("never_came"):
            words += " (ещё не приходили на встречи)"
    elif kind == "meetup_registrants":
        meetup = segment.get("meetup_id") or ""
        title = (meetups or {}).get(meetup, meetup)
        statuses = [REGISTRANT_STATUSES.get(s, s) for s in segment.get("statuses") or []]
        words += f" «{title}»: " + ", ".join(statuses)
    elif kind == "topic":
        words += f" «{TOPICS.get(segment.get('topic') or '', segment.get('topic'))}»"
    elif kind == "list":
        words += f" ({len(segment.get('recipients') or [])})"
    return words


async def _meetups(staff: Staff) -> dict[str, str]:
    """Meetups to choose registrants of: id → «date — title», newest first ({} when the
    events service is away: the page still works, the id can be typed)."""
    try:
        found = await staff.services.events.meetups()
    except (ServiceUnavailable, ServiceRefused):
        return {}
    found.sort(key=lambda m: str(m.get("starts_at") or ""), reverse=True)
    return {m["meetup_id"]: f"{str(m.get('starts_at') or '')[:10]} — {m['title']}" for m in found}


async def _files(staff: Staff) -> list[dict[str, Any]]:
    """Publishing's PDFs and images to attach (none when publishing is away: the form
    still works without attachments)."""
    found: list[dict[str, Any]] = []
    try:
        for kind in ("pdf", "image"):
            found += (await staff.services.publishing.files(kind, ATTACHABLE))["items"]
    except (ServiceUnavailable, ServiceRefused):
        return []
    return found


async def _editor(
    staff: Staff,
    *,
    form: dict[str, Any],
    mailing: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    audience: dict[str, int] | None = None,
    status_code: int = 200,
) -> Response:
    return staff.render(
        "mailing_form.html",
        status_code=status_code,
        mailing=mailing,
        form=form,
        errors=errors or FormErrors(),
        audience=audience,
        meetups=await _meetups(staff),
        files=await _files(staff),
        labels=LABELS,
    )


@router.get("")
async def mailings(
    staff: StaffPage,
    status: Annotated[str | None, Query(max_length=20)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    notifications = staff.services.notifications
    chosen = status if status in STATUSES else None
    found = await notifications.mailings(chosen, limit=PAGE, offset=offset)
    rows = []
    meetups = await _meetups(staff)
    for item in found["items"]:
        progress, unconfirmed = None, 0
        if item.get("fanned_out") or item["status"] in ("sending", "sent"):
            full = await notifications.mailing(item["id"])
            progress, unconfirmed = full.get("progress"), full.get("unconfirmed", 0)
        rows.append(
            {
                **item,
                "progress": progress,
                "unconfirmed": unconfirmed,
                "segment_text": describe(item["segment"], meetups),
            }
        )
    return staff.render(
        "mailings.html",
        rows=rows,
        total=found["total"],
        status=chosen or "",
        offset=offset,
        page=PAGE,
        labels=LABELS,
    )


@router.get("/new")
async def new_mailing(staff: StaffPage) -> Response:
    return await _editor(staff, form={"kind": "topic", "topic": "mailings"})


def _draft(form: FormData) -> dict[str, Any]:
    return {
        "subject": text(form, "subject"),
        "body": text(form, "body"),
        "segment": segment_of(form),
        "attachments": [str(a) for a in form.getlist("attachments")],
    }


@router.post("/new")
async def create_mailing(staff_form: StaffForm) -> Response:
    """«Посчитать получателей» shows the segment's size and who it leaves out; «Сохранить
    черновик» stores it (nothing is sent) and opens its page."""
    staff, form = staff_form
    shown = typed(form)
    notifications = staff.services.notifications
    try:
        if text(form, "action") == "audience":
            audience = await notifications.segment_audience(segment_of(form))
            return await _editor(staff, form=shown, audience=audience)
        created = await notifications.create_mailing(_draft(form))
    except ServiceRefused as exc:
        return await _editor(staff, form=shown, errors=refusal(exc), status_code=exc.status)
    return redirect(f"/mailings/{created['id']}", "created")


async def _page(
    staff: Staff,
    mailing_id: str,
    *,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
    auto: bool = False,
) -> Response:
    notifications = staff.services.notifications
    mailing = await notifications.mailing(mailing_id)
    editable = mailing["status"] in ("draft", "scheduled")
    audience = await notifications.mailing_audience(mailing_id) if editable else None
    preview = await notifications.mailing_preview(mailing_id)
    meetups = await _meetups(staff)
    going = mailing["status"] in ("scheduled", "sending")
    return staff.render(
        "mailing.html",
        status_code=status_code,
        m=mailing,
        segment_text=describe(mailing["segment"], meetups),
        audience=audience or mailing.get("audience"),
        preview=preview,
        errors=errors or FormErrors(),
        form=form or {"email": staff.account.get("email", ""), "when": "now"},
        going=going,
        refresh=REFRESH_SECONDS if going and auto else None,
        refresh_seconds=REFRESH_SECONDS,
        labels=LABELS,
    )


@router.get("/{mailing_id}")
async def mailing_page(
    mailing_id: str, staff: StaffPage, auto: Annotated[bool, Query()] = False
) -> Response:
    """``?auto=1``: the page reloads itself while the mailing is scheduled or going out."""
    return await _page(staff, mailing_id, auto=auto)


@router.get("/{mailing_id}/edit")
async def edit_page(mailing_id: str, staff: StaffPage) -> Response:
    mailing = await staff.services.notifications.mailing(mailing_id)
    return await _editor(staff, form=form_of(mailing), mailing=mailing)


@router.post("/{mailing_id}/edit")
async def save_mailing(mailing_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    shown = typed(form)
    notifications = staff.services.notifications
    mailing = await notifications.mailing(mailing_id)
    try:
        if text(form, "action") == "audience":
            audience = await notifications.segment_audience(segment_of(form))
            return await _editor(staff, form=shown, mailing=mailing, audience=audience)
        await notifications.change_mailing(mailing_id, _draft(form))
    except ServiceRefused as exc:
        return await _editor(
            staff, form=shown, mailing=mailing, errors=refusal(exc), status_code=exc.status
        )
    return redirect(f"/mailings/{mailing_id}", "saved")


@router.get("/{mailing_id}/preview")
async def preview_page(mailing_id: str, staff: StaffPage) -> HTMLResponse:
    """The rendered e-mail as its own page (the console's CSP: nothing in it runs)."""
    preview = await staff.services.notifications.mailing_preview(mailing_id)
    return HTMLResponse(preview["html"])


@router.post("/{mailing_id}/test")
async def test_send(mailing_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    email = text(form, "email") or str(staff.account.get("email", ""))
    try:
        await staff.services.notifications.test_mailing(mailing_id, email)
    except ServiceRefused as exc:
        shown = {"email": email, "when": "now"}
        return await _page(
            staff, mailing_id, errors=exc.errors(), form=shown, status_code=exc.status
        )
    return redirect(f"/mailings/{mailing_id}", "tested")


@router.post("/{mailing_id}/send")
async def send(mailing_id: str, staff_form: StaffForm) -> Response:
    """Now, or at a wall-clock time in Europe/Samara (``send_at`` of a datetime-local)."""
    staff, form = staff_form
    shown = {**typed(form), "email": str(staff.account.get("email", ""))}
    send_at = None
    if text(form, "when") == "at":
        local = text(form, "send_at")
        if "T" not in local:
            errors = FormErrors()
            errors.add("send_at", "укажите дату и время отправки")
            return await _page(staff, mailing_id, errors=errors, form=shown, status_code=422)
        day, clock = local.split("T", 1)
        try:
            send_at = copy_start(day, clock[:5])
        except ValueError:
            errors = FormErrors()
            errors.add("send_at", "дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ")
            return await _page(staff, mailing_id, errors=errors, form=shown, status_code=422)
    try:
        await staff.services.notifications.send_mailing(mailing_id, send_at)
    except ServiceRefused as exc:
        errors = exc.errors({"segment": "send"})
        return await _page(staff, mailing_id, errors=errors, form=shown, status_code=exc.status)
    return redirect(f"/mailings/{mailing_id}", "scheduled_mailing")


@router.post("/{mailing_id}/cancel")
async def cancel(mailing_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    try:
        await staff.services.notifications.cancel_mailing(mailing_id)
    except ServiceRefused as exc:
        return await _page(staff, mailing_id, errors=exc.errors(), status_code=exc.status)
    return redirect(f"/mailings/{mailing_id}", "cancelled")
