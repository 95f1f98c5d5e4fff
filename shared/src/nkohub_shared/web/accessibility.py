"""The visually impaired version of the public pages (версия для слабовидящих), in one place.

ГОСТ Р 52872-2019 (WCAG 2.1 in Russian) and the practice of municipal sites ask for a
version a person with poor sight switches on from every page: larger type in steps, a
high-contrast colour scheme, images off (their descriptions shown instead), wider
spacing — presentation only, the same content. Here:

- ``Presentation``: the visitor's choice, kept in one cookie (``COOKIE``, a year);
- ``router``: ``GET /accessibility?mode=on|off&size=1|2|3&scheme=bw|wb|blue&images=on|off
  &spacing=normal|wide&back=<local path>`` stores the choice and sends the visitor back
  (a plain link: no JavaScript), and ``GET /accessibility.css``, the one stylesheet every
  public page links (``static/accessibility.css``: visible focus, the skip link, reflow,
  and the rules of the version, switched by classes on ``<html>``);
- ``REMEMBER``: the router dependency that reads the cookie once per request, so pages
  render the choice without passing the request around (``current()``);
- what pages put in: ``html_class()`` on ``<html>``, ``head()`` in ``<head>``, ``panel()``
  first in ``<body>`` (the skip link and the switch or the settings), ``described_images``
  for stored HTML (images off → their alt text). ``install(environment)`` gives a Jinja2
  environment all of them; pages built without templates call them directly.

Behind the one public site every service answers the same paths; the proxy sends them to
one service, and the cookie (path ``/``) reaches all of them.
"""

from __future__ import annotations

import hashlib
import html
import re
from contextvars import ContextVar
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from nkohub_shared.links import ERASURE_REQUEST_PATH

COOKIE = "nkohub_a11y"
COOKIE_MAX_AGE = 365 * 24 * 3600
SWITCH_PATH = "/accessibility"
STYLESHEET_PATH = "/accessibility.css"
BACK_MAX = 2000  # longer addresses lose their query (a page's own links are far shorter)

STYLESHEET = (Path(__file__).parent / "static" / "accessibility.css").read_text("utf-8")
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET.encode()).hexdigest()[:12]


class Html(str):
    """Markup that Jinja2's autoescape leaves as it is (the ``__html__`` protocol)."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


class Scheme(StrEnum):
    BLACK_ON_WHITE = "bw"
    WHITE_ON_BLACK = "wb"
    BLUE = "blue"  # dark blue on light blue


SIZES = {1: "обычный", 2: "крупный", 3: "самый крупный"}
SCHEMES = {
    Scheme.BLACK_ON_WHITE: "чёрным по белому",
    Scheme.WHITE_ON_BLACK: "белым по чёрному",
    Scheme.BLUE: "синим по голубому",
}


@dataclass(frozen=True)
class Presentation:
    """How a visitor wants the pages shown. Off: the ordinary version."""

    on: bool = False
    size: int = 1
    scheme: Scheme = Scheme.BLACK_ON_WHITE
    images: bool = True
    wide: bool = False  # wider letter, word and line spacing

    @classmethod
    def parse(cls, value: str | None) -> Presentation:
        """From the cookie; anything malformed is the ordinary version."""
        parts = (value or "").split(".")
        if len(parts) != 5:
            return cls()
        mode, size, scheme, images, spacing = parts
        if (
            mode not in ("on", "off")
            or size not in ("1", "2", "3")
            or scheme not in Scheme._value2member_map_
            or images not in ("img", "noimg")
            or spacing not in ("normal", "wide")
        ):
            return cls()
        return cls(mode == "on", int(size), Scheme(scheme), images == "img", spacing == "wide")

    @property
    def cookie(self) -> str:
        mode = "on" if self.on else "off"
        images = "img" if self.images else "noimg"
        spacing = "wide" if self.wide else "normal"
        return f"{mode}.{self.size}.{self.scheme.value}.{images}.{spacing}"

    def changed(self, query: dict[str, str]) -> Presentation:
        """This choice with what a switch link asks; values it does not know change nothing."""
        new = self
        if query.get("mode") in ("on", "off"):
            new = replace(new, on=query["mode"] == "on")
        if query.get("size") in ("1", "2", "3"):
            new = replace(new, size=int(query["size"]))
        if query.get("scheme") in Scheme._value2member_map_:
            new = replace(new, scheme=Scheme(query["scheme"]))
        if query.get("images") in ("on", "off"):
            new = replace(new, images=query["images"] == "on")
        if query.get("spacing") in ("normal", "wide"):
            new = replace(new, wide=query["spacing"] == "wide")
        return new

    @property
    def css_class(self) -> str:
        """The classes on ``<html>`` the stylesheet keys on ('' for the ordinary version)."""
        if not self.on:
            return ""
        classes = ["vi", f"vi-size-{self.size}", f"vi-{self.scheme.value}"]
        if not self.images:
            classes.append("vi-noimg")
        if self.wide:
            classes.append("vi-wide")
        return " ".join(classes)


@dataclass(frozen=True)
class Visit:
    presentation: Presentation
    back: str  # where a switch link returns: the page being shown


ORDINARY = Visit(Presentation(), "/")  # outside a request (a page rendered by a job, a test)
_visit: ContextVar[Visit | None] = ContextVar("nkohub_accessibility_visit", default=None)


def safe_back(value: str | None) -> str:
    """A local path to return to; anything else (another site, ``//host``, a scheme,
    backslashes, control characters) is the site's root."""
    if not value or len(value) > BACK_MAX or not value.startswith("/"):
        return "/"
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _back_of(request: Request) -> str:
    path = request.url.path
    query = request.url.query
    whole = f"{path}?{query}" if query else path
    return whole if len(whole) <= BACK_MAX else path


async def remember(request: Request) -> None:
    """Router dependency: the visitor's choice and the page's address for this request."""
    _visit.set(Visit(Presentation.parse(request.cookies.get(COOKIE)), _back_of(request)))


REMEMBER = Depends(remember)


def current() -> Presentation:
    """The choice of the visitor whose request is being answered."""
    return (_visit.get() or ORDINARY).presentation


def html_class() -> str:
    return current().css_class


def head() -> Html:
    """The stylesheet link (its address changes with its content, so caches never serve
    an old one)."""
    return Html(f'<link rel="stylesheet" href="{STYLESHEET_PATH}?v={STYLESHEET_VERSION}">')


def switch_link(back: str | None = None, **change: str) -> str:
    """The address of a switch link that applies ``change`` and returns to ``back``."""
    target = safe_back(
        back or (_visit.get() or ORDINARY).back
    )  # a template's undefined value is falsy
    return f"{SWITCH_PATH}?{urlencode({**change, 'back': target})}"


def _choice(label: str, href: str, chosen: bool) -> str:
    current_mark = ' aria-current="true"' if chosen else ""
    return f'<a href="{html.escape(href)}"{current_mark}>{html.escape(label)}</a>'


# Every public page links the public erasure request (152-ФЗ) from here, the one piece
# of markup all of them share.
PRIVACY = (
    '<nav class="a11y-bar a11y-privacy" aria-label="Персональные данные">'
    f'<a href="{ERASURE_REQUEST_PATH}">Удалить мои персональные данные</a></nav>'
)


def panel(back: str | None = None) -> Html:
    """The skip link, then the switch (ordinary version) or the settings (the version for
    the visually impaired), then the link to the erasure request. ``back``: where the
    links return, when the page's own address does not show it again (a page answering a
    form's POST)."""
    p = current()
    skip = '<a class="a11y-skip" href="#content">Перейти к основному содержанию</a>'
    if not p.on:
        link = html.escape(switch_link(back, mode="on"))
        return Html(
            f'{skip}<nav class="a11y-bar" aria-label="Версия для слабовидящих">'
            f'<a class="a11y-switch" href="{link}">Версия для слабовидящих</a></nav>'
            f"{PRIVACY}"
        )
    rows = [
        (
            "Размер шрифта",
            [(label, {"size": str(n)}, p.size == n) for n, label in SIZES.items()],
        ),
        (
            "Цвета",
            [(label, {"scheme": s.value}, p.scheme is s) for s, label in SCHEMES.items()],
        ),
        (
            "Изображения",
            [
                ("показывать", {"images": "on"}, p.images),
                ("скрыть", {"images": "off"}, not p.images),
            ],
        ),
        (
            "Интервал",
            [
                ("обычный", {"spacing": "normal"}, not p.wide),
                ("увеличенный", {"spacing": "wide"}, p.wide),
            ],
        ),
    ]
    items = "".join(
        f'<li><span class="a11y-name">{name}:</span> '
        + " ".join(
            _choice(label, switch_link(back, **change), chosen) for label, change, chosen in choices
        )
        + "</li>"
        for name, choices in rows
    )
    ordinary = html.escape(switch_link(back, mode="off"))
    return Html(
        f'{skip}<nav class="a11y-bar a11y-settings" aria-label="Настройки версии для слабовидящих">'
        f'<ul>{items}<li><a class="a11y-switch" href="{ordinary}">Обычная версия сайта</a></li>'
        f"</ul></nav>{PRIVACY}"
    )


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def described_images(markup: str) -> Html:
    """Stored HTML (a post's body) as it is, or — images off — with each image replaced by
    its description (an image without one is left out, as a decorative one)."""
    if current().images or not current().on:
        return Html(markup)

    def described(match: re.Match[str]) -> str:
        alt = _ALT.search(match.group(0))
        text = html.unescape(next((g for g in alt.groups() if g is not None), "")) if alt else ""
        if not text.strip():
            return ""
        return f'<span class="a11y-alt">Изображение: {html.escape(text.strip())}</span>'

    return Html(_IMG.sub(described, str(markup)))


def install(environment: Any) -> None:
    """Give a Jinja2 environment what the pages use (``a11y_class()``, ``a11y_head()``,
    ``a11y_panel(back=None)``, the ``a11y_images`` filter)."""
    environment.globals.update(
        a11y_class=html_class, a11y_head=head, a11y_panel=panel, a11y=current
    )
    environment.filters["a11y_images"] = described_images


# ---------------------------------------------------------------- the two routes

router = APIRouter(include_in_schema=False)


@router.get(SWITCH_PATH)
async def switch(request: Request) -> RedirectResponse:
    """Store the choice and go back (303): works from a plain link, without JavaScript."""
    query = dict(request.query_params)
    chosen = Presentation.parse(request.cookies.get(COOKIE)).changed(query)
    response = RedirectResponse(safe_back(query.get("back")), status_code=303)
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        COOKIE,
        chosen.cookie,
        max_age=COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        httponly=True,
        secure=secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(STYLESHEET_PATH)
async def stylesheet() -> Response:
    return Response(
        STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )
