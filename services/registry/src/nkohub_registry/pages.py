"""Public pages of the registry: the page behind a person's erasure link.

``GET /people/{id}/erase?expires=…&token=…`` shows, in Russian, what will be erased and a
confirmation form (no JavaScript); its ``POST`` — the form's button, with the token and
expiry in the form's body, so another site cannot forge it without the link — erases and
says so. A link that is invalid or expired gets a Russian 403 page. Every answer carries
``Referrer-Policy: no-referrer`` (the token stays out of other sites' logs), is not cached
and may not be framed.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse

from nkohub_registry.api.deps import Context
from nkohub_registry.domain.people import erasure_summary
from nkohub_shared.errors import Forbidden
from nkohub_shared.links import erasure_path

router = APIRouter(tags=["registry: pages"])

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
Token = Annotated[str | None, Query(max_length=200)]
Expires = Annotated[int | None, Query(ge=0, lt=2**40)]


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"></head>
<body style="font-family: Arial, sans-serif; max-width: 600px; margin: 40px auto; padding: 0 16px;">
<h1 style="font-size: 22px;">{escape(title)}</h1>{body}</body></html>"""
    return HTMLResponse(html, status, headers=HEADERS)


def _invalid() -> HTMLResponse:
    return _page(
        "Ссылка недействительна",
        "<p>Ссылка повреждена или её срок истёк. Скопируйте её из письма целиком или "
        "попросите библиотеку прислать новую.</p>",
        403,
    )


def _done() -> HTMLResponse:
    return _page(
        "Данные удалены",
        "<p>Ваши персональные данные удалены из реестра НКО библиотеки; другие разделы "
        "платформы удалят свои копии в ближайшие минуты.</p>",
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
    return _done()
