"""The switch of the visually impaired version: a plain link, a cookie, a class on <html>,
and the same content; the pure rules of ``nkohub_shared.web.accessibility``."""

from __future__ import annotations

import re

import pytest

from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_shared.web import accessibility
from nkohub_shared.web.accessibility import COOKIE, Presentation, Scheme, safe_back
from tests.support.inprocess import running


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("/meetups/abc?token=x&registration=y", "/meetups/abc?token=x&registration=y"),
        ("/", "/"),
        ("", "/"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("meetups", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("/" + "a" * 2001, "/"),
    ],
)
def test_only_a_local_path_is_a_way_back(back, expected):
    assert safe_back(back) == expected


def test_the_cookie_round_trips_and_anything_else_is_the_ordinary_version():
    chosen = Presentation(on=True, size=3, scheme=Scheme.WHITE_ON_BLACK, images=False, wide=True)
    assert chosen.cookie == "on.3.wb.noimg.wide"
    assert Presentation.parse(chosen.cookie) == chosen
    assert chosen.css_class == "vi vi-size-3 vi-wb vi-noimg vi-wide"
    for garbage in (
        None,
        "",
        "on",
        "on.9.wb.noimg.wide",
        "on.1.red.img.normal",
        "x.1.bw.img.normal",
    ):
        assert Presentation.parse(garbage) == Presentation()
    assert Presentation().css_class == ""
    # a switch link changes what it names and keeps the rest; unknown values change nothing
    assert chosen.changed({"mode": "off"}) == Presentation(
        on=False, size=3, scheme=Scheme.WHITE_ON_BLACK, images=False, wide=True
    )
    assert chosen.changed({"size": "7", "scheme": "pink", "images": "maybe"}) == chosen


def test_images_off_show_their_descriptions_instead():
    html = (
        '<p>Текст <img src="/a.png" alt="Схема &quot;проекта&quot;"> и '
        "<IMG src='/b.png' alt=''> конец <img src=/c.png></p>"
    )
    token = accessibility._visit.set(accessibility.Visit(Presentation(on=True, images=False), "/"))
    try:
        shown = accessibility.described_images(html)
    finally:
        accessibility._visit.reset(token)
    assert shown == (
        '<p>Текст <span class="a11y-alt">Изображение: Схема &quot;проекта&quot;</span> и '
        "  конец </p>"
    ).replace("  ", " ")
    assert accessibility.described_images(html) == html, "the ordinary version: as stored"


async def test_the_switch_sets_a_cookie_goes_back_and_the_pages_follow_it(sandbox):
    app = events_app(EventsSettings(**sandbox.settings("events")))
    async with running(app) as client:
        ordinary = await client.get("/meetups")
        assert '<html lang="ru" class="">' in ordinary.text
        assert 'href="/accessibility?mode=on&amp;back=%2Fmeetups"' in ordinary.text
        assert re.search(
            r'<link rel="stylesheet" href="/accessibility\.css\?v=\w{12}">', ordinary.text
        )

        switched = await client.get("/accessibility", params={"mode": "on", "back": "/meetups"})
        assert switched.status_code == 303 and switched.headers["location"] == "/meetups"
        cookie = switched.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=on.1.bw.img.normal;")
        assert "Max-Age=31536000" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert client.cookies.get(COOKIE) == "on.1.bw.img.normal"

        version = await client.get("/meetups")
        assert '<html lang="ru" class="vi vi-size-1 vi-bw">' in version.text
        assert "Обычная версия сайта" in version.text
        assert 'aria-current="true">обычный</a>' in version.text

        # the same content: only the <html> class and the switch differ
        def content(page: str) -> str:
            return page.split('<main id="content">', 1)[1]

        assert content(version.text) == content(ordinary.text)

        await client.get("/accessibility", params={"size": "3", "scheme": "wb", "back": "/"})
        bigger = await client.get("/meetups")
        assert 'class="vi vi-size-3 vi-wb"' in bigger.text

        away = await client.get(
            "/accessibility", params={"mode": "off", "back": "//evil.example/x"}
        )
        assert away.status_code == 303 and away.headers["location"] == "/"
        assert client.cookies.get(COOKIE) == "off.3.wb.img.normal", (
            "the settings wait for next time"
        )
        assert '<html lang="ru" class="">' in (await client.get("/meetups")).text

        css = await client.get("/accessibility.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "html.vi-wb" in css.text and ":focus-visible" in css.text
