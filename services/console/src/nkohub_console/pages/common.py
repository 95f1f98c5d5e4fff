"""What every page shares: its URL under the console's prefix, the signed-in person (or a
redirect to the sign-in page), the CSRF check of every form, the templates with Russian
dates, and refusals shown next to the fields they name.

Paths in the code and the templates are the console's own (``/meetups/m1``); ``url()``
puts the prefix before them for every link, form action, redirect and cookie, so the
console works the same on its own port and behind the site (``/console/meetups/m1``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from nkohub_console.api.deps import Context
from nkohub_console.context import ConsoleContext
from nkohub_console.domain import vocabulary
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.sessions import COOKIE as SESSION_COOKIE
from nkohub_console.domain.sessions import CSRF_FIELD, CSRF_HEADER, same_token
from nkohub_console.service.clients import Services
from nkohub_console.service.sessions import Current
from nkohub_console.settings import ConsoleSettings
from nkohub_shared.russian import DEFAULT_TIMEZONE, date_ru, in_zone

PREFIX = ConsoleSettings.site_path  # "/console": every page, form, redirect and static file
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORM_MAX_FIELDS = 2000
FORM_MAX_FILES = 1

# Messages after an action (``?ok=<key>``), so a reload repeats nothing.
DONE = {
    "created": "Создано.",
    "saved": "Сохранено.",
    "published": "Опубликовано.",
    "scheduled": "Публикация запланирована.",
    "cancelled": "Отменено.",
    "completed": "Встреча завершена.",
    "copied": "Создан черновик-копия: проверьте и опубликуйте.",
    "checked_in": "Отмечен(а).",
    "walk_in": "Гость без регистрации добавлен и отмечен.",
    "moderated": "Вопрос обработан.",
    "approved": "Одобрено.",
    "rejected": "Отклонено.",
    "retried": "Письмо поставлено в очередь снова.",
    "password": "Пароль изменён. Другие ваши сеансы завершены.",
    "deactivated": "Учётная запись отключена, её сеансы завершены.",
    "reactivated": "Учётная запись снова активна.",
    "reset": "Пароль сброшен, сеансы учётной записи завершены.",
    "erased": "Данные человека удалены.",
    "deleted": "Удалено.",
    "unpublished": "Снято с публикации.",
    "template_reset": "Шаблон снова исходный (из файлов).",
    "restored": "Прежняя версия шаблона восстановлена.",
}


def url(path: str) -> str:
    """The address of a console path: ``url("/meetups/m1")`` → ``/console/meetups/m1``;
    ``url("/")`` → ``/console/`` (Today)."""
    return PREFIX + path


def console_path(path: str) -> str:
    """A path this app received without the prefix: ``/console/meetups/m1`` → ``/meetups/m1``."""
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return path[len(PREFIX) :] or "/"
    return path


def _when(value: datetime | str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    return date_ru(value, tz, with_time=True) if value else ""


def _day(value: datetime | date | str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    if not value:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_ru(datetime(value.year, value.month, value.day, 12), "UTC")
    if isinstance(value, str) and len(value) == 10:
        d = date.fromisoformat(value)
        return date_ru(datetime(d.year, d.month, d.day, 12), "UTC")
    return date_ru(value, tz)


def _clock(value: datetime | str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    return f"{in_zone(value, tz):%H:%M}" if value else ""


def _local_input(value: datetime | str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """The value of an ``<input type=datetime-local>`` in the venue's time."""
    return f"{in_zone(value, tz):%Y-%m-%dT%H:%M}" if value else ""


templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(
    when=_when, day=_day, clock=_clock, local_input=_local_input, urlq=lambda v: quote(str(v))
)
templates.globals.update(
    url=url,
    v=vocabulary,
    label=vocabulary.label,
    done_messages=DONE,
)


class SignInRequired(Exception):
    """No live session: the page sends the person to sign in (and back afterwards)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form without this session's CSRF token (403)."""


class AdminOnly(Exception):
    """A staff account on an admin page (403)."""


@dataclass
class Staff:
    """The signed-in person of this request and their clients to the services."""

    ctx: ConsoleContext
    current: Current
    request: Request

    @property
    def account(self) -> dict[str, Any]:
        return self.current.account

    @property
    def services(self) -> Services:
        cached = getattr(self.request.state, "services", None)
        if cached is None:
            cached = self.ctx.services_for(self.account)
            self.request.state.services = cached
        return cached

    def render(
        self,
        template: str,
        status_code: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        return render(
            self.request,
            template,
            status_code=status_code,
            me=self.account,
            csrf=self.current.csrf,
            **values,
        )


def render(
    request: Request, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """The page; after a refusal it is drawn twice: the first drawing tells which of the
    refused fields the page shows (and their labels), the second carries the summary of
    every error at the top, the first shown invalid field focused."""
    values.setdefault("form", {})
    values.setdefault("me", None)
    values.setdefault("ok", request.query_params.get("ok"))
    values["path"] = console_path(request.url.path)
    errors = PageErrors.of(values.get("errors"))
    values["errors"] = errors
    page = templates.get_template(template)
    html = page.render(request=request, error_summary=[], **values)
    if errors:
        summary, errors.focus = summarize(errors, html)
        html = page.render(request=request, error_summary=summary, **values)
    return HTMLResponse(html, status_code=status_code)


# Russian names of fields a service may refuse that a form does not show itself.
FIELD_NAMES = {
    "venue": "место проведения",
    "venue.name": "место проведения",
    "venue.address": "адрес",
    "venue.hall_capacity": "мест в зале",
    "program": "программа",
    "meetup_id": "встреча",
    "status": "состояние",
    "slug": "адрес записи",
    "ogrn": "ОГРН",
    "inn": "ИНН",
    "legal_form": "организационно-правовая форма",
    "activity_areas": "направления деятельности",
    "email": "электронная почта",
}
_CONTROL = re.compile(r'<(?:input|select|textarea|fieldset)\b[^>]*\bid="f-([^"]+)"')
_LABEL = re.compile(r'<label for="f-([^"]+)">(.*?)</label>', re.S)
# a group of radios or boxes: the fieldset is the field, its legend the label
_LEGEND = re.compile(r'<fieldset\b[^>]*\bid="f-([^"]+)"[^>]*>\s*<legend>(.*?)</legend>', re.S)
_ARIA_LABEL = re.compile(r'\bid="f-([^"]+)"[^>]*\baria-label="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


@dataclass
class SummaryItem:
    """One line of a form's error summary: a link to the field when the page shows it."""

    message: str
    label: str = ""
    target: str = ""  # the id of the field on the page


class PageErrors(FormErrors):
    """A form's errors and the field that gets the focus when the page comes back."""

    focus: str | None = None

    @classmethod
    def of(cls, errors: Any) -> PageErrors:
        if isinstance(errors, PageErrors):
            return errors
        if isinstance(errors, FormErrors):
            return cls(fields=dict(errors.fields), general=list(errors.general))
        return cls(fields=dict(errors or {}))


def summarize(errors: FormErrors, html: str) -> tuple[list[SummaryItem], str | None]:
    """Every error of the form, the fields in the order the page shows them, then those it
    does not show (named in Russian where known); and the first shown field."""
    shown = [name for name in dict.fromkeys(_CONTROL.findall(html)) if name in errors.fields]
    found = _LABEL.findall(html) + _LEGEND.findall(html)
    labels = {n: _TAG.sub("", t).strip().rstrip("*").strip() for n, t in found}
    for name, text in _ARIA_LABEL.findall(html):
        labels.setdefault(name, unescape(text))
    items = [SummaryItem(m) for m in errors.general]
    items += [SummaryItem(errors.fields[n], unescape(labels.get(n, n)), f"f-{n}") for n in shown]
    items += [
        SummaryItem(message, FIELD_NAMES.get(name, name))
        for name, message in errors.fields.items()
        if name not in shown
    ]
    return items, (shown[0] if shown else None)


async def _staff(request: Request, ctx: Context) -> Staff:
    current = await ctx.sessions.current(request.cookies.get(SESSION_COOKIE))
    if current is None:
        target = console_path(request.url.path)
        if request.url.query:
            target += "?" + request.url.query
        raise SignInRequired(target if request.method == "GET" else "/")
    return Staff(ctx, current, request)


async def _admin(staff: Annotated[Staff, Depends(_staff)]) -> Staff:
    if not staff.current.is_admin:
        raise AdminOnly()
    return staff


StaffPage = Annotated[Staff, Depends(_staff)]
AdminPage = Annotated[Staff, Depends(_admin)]


async def checked_form(request: Request, staff: Staff) -> FormData:
    """The form of a POST, refused (403) unless it carries this session's CSRF token (in
    the form, or the ``X-CSRF-Token`` header of an htmx request)."""
    form = await request.form(max_files=FORM_MAX_FILES, max_fields=FORM_MAX_FIELDS)
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str):
        given = request.headers.get(CSRF_HEADER)
    if not same_token(staff.current.csrf, given):
        raise CsrfRefused()
    return form


async def _staff_form(request: Request, staff: StaffPage) -> tuple[Staff, FormData]:
    return staff, await checked_form(request, staff)


async def _admin_form(request: Request, staff: AdminPage) -> tuple[Staff, FormData]:
    return staff, await checked_form(request, staff)


StaffForm = Annotated[tuple[Staff, FormData], Depends(_staff_form)]
AdminForm = Annotated[tuple[Staff, FormData], Depends(_admin_form)]


def text(form: FormData | Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def values(form: FormData) -> dict[str, Any]:
    """What the person typed, to show back (files and the CSRF token left out)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def redirect(path: str, ok: str | None = None) -> Response:
    """303 to a console path (``redirect("/meetups/m1", "saved")``)."""
    if ok:
        path += ("&" if "?" in path else "?") + f"ok={ok}"
    return RedirectResponse(url(path), status_code=303)


async def history_of(staff: Staff, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """«Who did what» of a record whose staff view carries ``history``."""
    from nkohub_console.domain.history import actor_ids, entries_of, who_did_what

    entries = entries_of(record)
    created_by = record.get("created_by")
    if not entries and created_by:
        entries = [{"at": record.get("created_at"), "actor": created_by, "action": "created"}]
    names = await staff.ctx.accounts.names(actor_ids(entries))
    return who_did_what(entries, names)


def download(content: bytes, media_type: str, filename: str) -> Response:
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "file"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
