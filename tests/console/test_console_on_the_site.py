"""The staff console through the one public site: Caddy with the platform's own
``deploy/caddy/Caddyfile`` in front of the four services and the console (all in this
process, each on a loopback port of its own, every public URL the site's). A librarian
signs in at ``<site>/console/login``, opens Today and a meetup, and follows the meetup's
public link to its page on the same site."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from nkohub_console.app import create_app as console_app
from tests.console.support import console_settings, make_account, post_form, sign_in
from tests.console.test_pages import create_meetup
from tests.support.inprocess import serving
from tests.support.processes import SiteProxy, free_port

SERVICES = ("registry", "events", "notifications", "publishing")
NOTIFICATIONS = {"smtp_host": "127.0.0.1", "smtp_port": 9}  # nothing is mailed here


def _service_app(name: str, settings: dict[str, Any]) -> Any:
    import importlib

    settings_cls = getattr(
        importlib.import_module(f"nkohub_{name}.settings"), f"{name.capitalize()}Settings"
    )
    return importlib.import_module(f"nkohub_{name}.app").create_app(settings_cls(**settings))


@pytest.fixture
async def site(sandbox, tmp_path):
    """``(site URL, the console's app)``; behind the site the four services and the console."""
    ports = {name: free_port() for name in (*SERVICES, "console")}
    proxy = SiteProxy(
        {name: [f"127.0.0.1:{port}"] for name, port in ports.items()},
        log_path=tmp_path / "caddy.log",
        state=tmp_path / "caddy",
    )
    behind = {"site_url": proxy.url, "trusted_proxies": ["127.0.0.1"]}
    async with contextlib.AsyncExitStack() as stack:
        for name in SERVICES:
            extra = behind | (NOTIFICATIONS if name == "notifications" else {})
            app = _service_app(name, sandbox.settings(name, **extra))
            await stack.enter_async_context(serving(app, ports[name]))
        urls = {name: f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
        console = console_app(console_settings(sandbox, urls, **behind))
        await stack.enter_async_context(serving(console, ports["console"]))
        proxy.start()
        stack.callback(proxy.stop)
        yield proxy.url, console


async def test_a_librarian_works_through_the_site_and_reaches_the_public_meetup_page(site):
    url, console = site
    await make_account(console, "Ольга Библиотекарь", "olga@library.ru")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        entrance = await http.get("/console")
        assert entrance.status_code == 303 and entrance.headers["location"] == "/console/"
        login = await http.get("/console/login")
        assert login.status_code == 200
        assert 'action="/console/login"' in login.text
        assert 'href="/console/static/console.css"' in login.text
        css = await http.get("/console/static/console.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

        signed = await sign_in(http, "olga@library.ru")
        assert signed.status_code == 303 and signed.headers["location"] == "/console/"
        assert "Path=/console" in signed.headers["set-cookie"]

        meetup_id = await create_meetup(http, starts, title="Открытое общение: сайт и консоль")
        published = await post_form(
            http, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/publish", {}
        )
        assert published.status_code == 303
        assert published.headers["location"] == f"/console/meetups/{meetup_id}?ok=published"

        today = await http.get("/console/")
        assert today.status_code == 200
        assert "Открытое общение: сайт и консоль" in today.text
        assert f'href="/console/meetups/{meetup_id}"' in today.text

        page = await http.get(f"/console/meetups/{meetup_id}")
        assert page.status_code == 200
        assert 'class="here"' in page.text  # the section's tab knows where it is
        public = re.search(r'Публичная страница: <a href="([^"]+)"', page.text)
        assert public is not None, page.text[:2000]
        assert public.group(1) == f"{url}/meetups/{meetup_id}"  # on the same site

        shown = await http.get(public.group(1))
        assert shown.status_code == 200
        assert "Открытое общение: сайт и консоль" in shown.text
        assert "Консоль" not in shown.text  # the events service's page, not the console's

        blog = await http.get("/console/blog?show=published")
        assert blog.status_code == 200
        assert f'Блог на сайте: <a href="{url}/">' in blog.text
        home = await http.get(f"{url}/")
        assert home.status_code == 200 and "Проект +" in home.text

        # the console's API through the site too: the session cookie reaches it
        me = await http.get("/console/api/v1/session")
        assert me.status_code == 200 and me.json()["account"]["email"] == "olga@library.ru"
