"""The console lives under ``/console`` on its own port exactly as on the site: pages,
forms, redirects, static files, its API and its cookies; every link a page carries stays
inside (in process, real MongoDB and RabbitMQ)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from nkohub_console.domain.accounts import Role
from nkohub_console.domain.sessions import COOKIE, LOGIN_COOKIE
from tests.console.support import (
    browser,
    console_settings,
    console_with_services,
    csrf_of,
    make_account,
    post_form,
    running_console,
    sign_in,
)
from tests.console.test_pages import create_meetup
from tests.operations.site import routes

LOCAL_URL = re.compile(r'\b(href|src|action|hx-get|hx-post)="(/[^"]*)"')
DOWNLOADS = (".pdf", ".csv", ".xlsx")


def test_every_route_is_one_the_site_sends_to_the_console(sandbox):
    """The site (deploy/caddy/Caddyfile) gives the console ``/console`` and ``/console/*``
    and nothing else; its operations endpoints are probed on its own port."""
    from nkohub_console.app import create_app

    found = routes(create_app(console_settings(sandbox)))
    assert len(found) > 60, "the route table was read"
    elsewhere = [
        (method, path)
        for method, path in found
        if path != "/console" and not path.startswith("/console/")
    ]
    assert elsewhere == [("GET", "/")]  # the console's own port: a redirect to /console/
    assert ("GET", "/console/api/v1/session") in found
    assert ("POST", "/console/organizations/import") in found


async def test_only_the_prefix_answers_and_its_bare_forms_lead_to_today(sandbox):
    async with running_console(console_settings(sandbox)) as app, browser(app) as client:
        for entrance in ("/", "/console"):
            answer = await client.get(entrance)
            assert answer.status_code == 303 and answer.headers["location"] == "/console/"
        today = await client.get("/console/")
        assert today.status_code == 303
        assert today.headers["location"] == "/console/login?next=/"
        for old in ("/login", "/meetups", "/static/console.css", "/api/v1/session"):
            assert (await client.get(old)).status_code == 404, old
        css = await client.get("/console/static/console.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        htmx = await client.get("/console/static/htmx-2.0.11.min.js")
        assert htmx.status_code == 200
        assert (await client.get("/console/api/v1/session")).status_code == 401
        # the operations endpoints stay where every service has them
        assert (await client.get("/health/live")).json()["service"] == "console"
        assert (await client.get("/console/health/live")).status_code == 404
        # the import's own body limit (20 MB) holds at its address under the prefix
        two_megabytes = b"x" * (2 * 1024 * 1024)
        too_large = await client.post("/console/meetups/new", content=two_megabytes)
        assert too_large.status_code == 413
        upload = await client.post("/console/organizations/import", content=two_megabytes)
        assert upload.status_code == 303  # past the limit: to the sign-in page


async def test_the_cookies_are_scoped_to_the_console(sandbox):
    async with running_console(console_settings(sandbox)) as app:
        await make_account(app, "Ольга", "olga@library.ru")
        async with browser(app) as client:
            login = await client.get("/console/login")
            assert f"{LOGIN_COOKIE}=" in login.headers["set-cookie"]
            assert "Path=/console/login" in login.headers["set-cookie"]
            assert 'action="/console/login"' in login.text
            signed = await sign_in(client, "olga@library.ru")
            assert signed.status_code == 303 and signed.headers["location"] == "/console/"
            session = next(
                c for c in signed.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")
            )
            assert "Path=/console;" in session or session.endswith("Path=/console")
            me = await client.get("/console/api/v1/session")
            assert me.status_code == 200 and me.json()["account"]["email"] == "olga@library.ru"
            page = await client.get("/console/account/password")
            out = await client.post("/console/logout", data={"csrf": csrf_of(page.text)})
            assert out.status_code == 303 and out.headers["location"] == "/console/login"
            ended = next(
                c for c in out.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")
            )
            assert "Path=/console" in ended and "Max-Age=0" in ended
            again = await client.get("/console/meetups?show=draft", follow_redirects=False)
            # the way back after signing in is a console path, kept through the form
            assert again.headers["location"] == "/console/login?next=/meetups%3Fshow%3Ddraft"
            login = await client.get(again.headers["location"])
            assert 'name="next" value="/meetups?show=draft"' in login.text
            back = await client.post(
                "/console/login",
                data={
                    "csrf": csrf_of(login.text),
                    "email": "olga@library.ru",
                    "password": "читальный-зал-2019",
                    "next": "/meetups?show=draft",
                },
            )
            assert back.status_code == 303
            assert back.headers["location"] == "/console/meetups?show=draft"


async def test_every_link_form_and_script_of_every_page_stays_under_the_prefix(sandbox):
    """A crawl from Today over every console page a librarian reaches by links: each
    local address a page carries starts with /console/, and each page opens."""
    async with console_with_services(sandbox) as app:
        await make_account(app, "Анна Админова", "admin@library.ru", Role.ADMIN)
        async with browser(app) as client:
            await sign_in(client, "admin@library.ru")
            meetup_id = await create_meetup(client, datetime.now(UTC) + timedelta(days=7))
            published = await post_form(
                client,
                f"/console/meetups/{meetup_id}",
                f"/console/meetups/{meetup_id}/publish",
                {},
            )
            assert published.status_code == 303
            assert published.headers["location"] == f"/console/meetups/{meetup_id}?ok=published"
            seen: set[str] = set()
            queue = ["/console/"]
            outside: list[str] = []
            broken: list[str] = []
            while queue and len(seen) < 150:
                page_url = queue.pop(0)
                if page_url in seen:
                    continue
                seen.add(page_url)
                answer = await client.get(page_url)
                if answer.status_code != 200:
                    broken.append(f"{page_url} → {answer.status_code}")
                    continue
                if not answer.headers["content-type"].startswith("text/html"):
                    continue
                for attribute, address in LOCAL_URL.findall(answer.text):
                    if not address.startswith("/console/"):
                        outside.append(f"{page_url}: {attribute}={address}")
                        continue
                    target = urljoin(page_url, address.replace("&amp;", "&")).split("#")[0]
                    path = urlsplit(target).path
                    if attribute == "href" and not path.endswith(DOWNLOADS):
                        queue.append(target)
            assert outside == []
            assert broken == []
            assert len(seen) >= 30, sorted(seen)  # the crawl went through the console
            assert f"/console/meetups/{meetup_id}/registrations" in seen
            assert f"/console/door/{meetup_id}" in seen
            assert "/console/admin/accounts" in seen
