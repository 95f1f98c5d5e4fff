"""Public pages of the registry: the self-registration form of an NGO with the needs
survey (``/organizations/join``, no JavaScript: a proposal staff review), the erasure
request (``/people/erase``: an e-mail address in, the same answer whether it is known or
not; a known one is mailed its link), and the page behind a person's erasure link.

``GET /people/{id}/erase?expires=…&token=…`` shows, in Russian, what will be erased and a
confirmation form (no JavaScript); its ``POST`` — the form's button, with the token and
expiry in the form's body, so another site cannot forge it without the link — erases and
says so. A link that is invalid or expired gets a Russian 403 page. Every answer carries
``Referrer-Policy: no-referrer`` (the token stays out of other sites' logs), is not cached
and may not be framed.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from nkohub_registry.api.deps import Context
from nkohub_registry.domain.erasure_requests import REQUESTED_LINK_DAYS, ErasureRequestForm
from nkohub_registry.domain.needs import NeedsSurvey
from nkohub_registry.domain.people import erasure_summary
from nkohub_registry.domain.proposals import SelfRegistration
from nkohub_registry.domain.vocabulary import (
    ACTIVITY_AREA_LABELS,
    LEGAL_FORM_LABELS,
    NEED_LABELS,
    SPECIALIST_LABELS,
)
from nkohub_shared.errors import Forbidden
from nkohub_shared.limits import RateLimited
from nkohub_shared.links import ERASURE_REQUEST_PATH, erasure_path
from nkohub_shared.web import accessibility
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(tags=["registry: pages"], dependencies=[accessibility.REMEMBER])
router.include_router(accessibility.router)  # the switch of the visually impaired version

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
Token = Annotated[str | None, Query(max_length=200)]
Expires = Annotated[int | None, Query(ge=0, lt=2**40)]


def _page(title: str, body: str, status: int = 200, back: str | None = None) -> HTMLResponse:
    """``back``: where the visually impaired version's switch returns (default: here)."""
    html = f"""<!DOCTYPE html>
<html lang="ru" class="{accessibility.html_class()}"><head><meta charset="utf-8">
<title>{escape(title)} — реестр НКО Глазова</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">{accessibility.head()}</head>
<body style="font-family: Arial, sans-serif; max-width: 600px; margin: 40px auto; padding: 0 16px;">
{accessibility.panel(back)}<main id="content">
<h1 style="font-size: 22px;">{escape(title)}</h1>{body}</main></body></html>"""
    return HTMLResponse(html, status, headers=HEADERS)


def _invalid() -> HTMLResponse:
    return _page(
        "Ссылка недействительна",
        "<p>Ссылка повреждена или её срок истёк. Скопируйте её из письма целиком или "
        "попросите библиотеку прислать новую.</p>",
        403,
    )


def _done(back: str | None = None) -> HTMLResponse:
    return _page(
        "Данные удалены",
        "<p>Ваши персональные данные удалены из реестра НКО библиотеки; другие разделы "
        "платформы удалят свои копии в ближайшие минуты.</p>",
        back=back,
    )


@router.get(erasure_path("{person_id}"), response_class=HTMLResponse)
async def erasure_page(
    person_id: str, ctx: Context, token: Token = None, expires: Expires = None
) -> HTMLResponse:
    try:
        person = await ctx.people.by_link(person_id, expires, token)
    except Forbidden:
        return _invalid()
    if person.get("erased_at") is not None:
        return _done()
    items = "".join(f"<li>{escape(line)}</li>" for line in erasure_summary(person))
    form = (
        f'<form method="post" action="{escape(erasure_path(person_id))}">'
        f'<input type="hidden" name="token" value="{escape(token or "")}">'
        f'<input type="hidden" name="expires" value="{expires}">'
        '<button type="submit">Удалить мои данные</button></form>'
    )
    body = (
        "<p>Будут удалены:</p>"
        f"<ul>{items}</ul>"
        "<p>Удаление нельзя отменить. Сведения об организациях и число участников встреч "
        "останутся, без вашего имени и контактов.</p>"
        f"{form}"
    )
    return _page("Удаление персональных данных", body)


@router.post(erasure_path("{person_id}"), response_class=HTMLResponse)
async def erase_from_page(
    person_id: str,
    ctx: Context,
    token: Annotated[str | None, Form(max_length=200)] = None,
    expires: Annotated[int | None, Form(ge=0, lt=2**40)] = None,
) -> HTMLResponse:
    try:
        await ctx.people.erase_by_link(person_id, expires, token)
    except Forbidden:
        return _invalid()
    # the switch of the version returns to the link, which now says the same
    return _done(
        back=f"{erasure_path(person_id)}?{urlencode({'expires': expires, 'token': token})}"
    )


# --- self-registration of an NGO, with the needs survey ------------------------------------

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
accessibility.install(_templates)
LISTS = ("activity_areas", "needs", "specialists")
TEXTS = (
    "full_name", "short_name", "legal_form", "ogrn", "inn", "city", "address",
    "description", "website", "public_phone", "public_email",
)  # fmt: skip
FIELD_ERRORS = {
    "missing": "Заполните это поле.",
    "enum": "Выберите из списка.",
    "literal_error": "Выберите из списка.",
    "string_too_long": "Слишком длинно.",
    "url_parsing": "Проверьте адрес сайта: он начинается с https://",
    "url_scheme": "Проверьте адрес сайта: он начинается с https://",
}
EMAIL_ERROR = "Проверьте адрес: он должен выглядеть как name@example.ru."


def _join(
    form: dict[str, Any], errors: dict[str, str], status: int, done: str = ""
) -> HTMLResponse:
    html = _templates.get_template("join.html").render(
        form=form,
        errors=errors,
        done=done,
        legal_forms=sorted(LEGAL_FORM_LABELS.items(), key=lambda kv: kv[1]),
        areas=sorted(ACTIVITY_AREA_LABELS.items(), key=lambda kv: kv[1]),
        needs=list(NEED_LABELS.items()),
        specialists=list(SPECIALIST_LABELS.items()),
    )
    return HTMLResponse(html, status, headers=HEADERS)


def _errors(exc: ValidationError) -> dict[str, str]:
    """The first error of each field, in Russian."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else "form"
        if field in errors:
            continue
        kind = str(error.get("type", ""))
        if field == "public_email" and kind == "value_error":
            errors[field] = EMAIL_ERROR
        elif kind == "value_error":
            errors[field] = str(error.get("msg", "")).removeprefix("Value error, ")
        else:
            errors[field] = FIELD_ERRORS.get(kind, "Проверьте это поле.")
    return errors


@router.get("/organizations/join", response_class=HTMLResponse)
async def join_page() -> HTMLResponse:
    """The self-registration form (the blog's list of NGOs links here)."""
    return _join({"city": "Глазов"}, {}, 200)


@router.post("/organizations/join", response_class=HTMLResponse)
async def join(request: Request, ctx: Context, client: ClientAddress) -> HTMLResponse:
    """The form's POST: the same proposal as an anonymous ``POST /api/v1/organizations``,
    with the needs survey; errors next to their field, in Russian."""
    raw = await request.form()
    form: dict[str, Any] = {k: str(raw.get(k) or "").strip()[:5000] for k in TEXTS}
    for name in LISTS:
        form[name] = [str(v) for v in raw.getlist(name)][:50]
    form["needs_other"] = str(raw.get("needs_other") or "").strip()[:5000]
    form["wants_meetups"] = str(raw.get("wants_meetups") or "")
    payload = {k: form[k] for k in TEXTS if form[k]}
    payload["activity_areas"] = form["activity_areas"]
    errors: dict[str, str] = {}
    try:
        SelfRegistration.model_validate(payload)
    except ValidationError as exc:
        errors.update(_errors(exc))
    survey: NeedsSurvey | None = None
    if form["wants_meetups"] not in ("yes", "no"):
        errors["wants_meetups"] = "Ответьте, хотите ли вы участвовать во встречах."
    else:
        try:
            survey = NeedsSurvey(
                needs=form["needs"],
                needs_other=form["needs_other"] or None,
                specialists=form["specialists"],
                wants_meetups=form["wants_meetups"] == "yes",
                answered_on=date.today(),
            )
        except ValidationError as exc:
            errors.update(_errors(exc))
    if errors:
        return _join(form, errors, 422)
    try:
        await ctx.proposals.submit(payload, client=client, needs=survey)
    except RateLimited as limited:
        page = _join(form, {"form": limited.message}, 429)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    return _join({}, {}, 202, done=form["short_name"] or form["full_name"])


# --- the erasure request: an address in, a mailed link out ------------------------------

EMAIL_MISSING = "Укажите адрес электронной почты."


def _erase_request(
    *,
    email: str = "",
    error: str = "",
    field_error: bool = False,
    status: int = 200,
    done: bool = False,
) -> HTMLResponse:
    html = _templates.get_template("erase_request.html").render(
        action=ERASURE_REQUEST_PATH,
        back=ERASURE_REQUEST_PATH,
        email=email,
        error=error,
        field_error=field_error,
        done=done,
        days=REQUESTED_LINK_DAYS,
    )
    return HTMLResponse(html, status, headers=HEADERS)


@router.get(ERASURE_REQUEST_PATH, response_class=HTMLResponse)
async def erase_request_page() -> HTMLResponse:
    """The form asking for the address (every public page links it)."""
    return _erase_request()


@router.post(ERASURE_REQUEST_PATH, response_class=HTMLResponse)
async def erase_request(request: Request, ctx: Context, client: ClientAddress) -> HTMLResponse:
    """The same answer for an address the registry holds and one it does not; 422 with
    the error next to the field for a malformed one, 429 (Russian, ``Retry-After``) past
    the limits per client and per address."""
    raw = await request.form()
    email = str(raw.get("email") or "").strip()[:400]
    if not email:
        return _erase_request(error=EMAIL_MISSING, field_error=True, status=422)
    try:
        form = ErasureRequestForm(email=email)
    except ValidationError:
        return _erase_request(email=email, error=EMAIL_ERROR, field_error=True, status=422)
    try:
        await ctx.erasure_requests.request(form, client=client)
    except RateLimited as limited:
        page = _erase_request(email=email, error=limited.message, status=429)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    return _erase_request(done=True, status=202)
