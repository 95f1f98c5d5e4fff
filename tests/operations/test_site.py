"""The platform as one site: the four services (in this process, on loopback ports) behind
Caddy with ``deploy/caddy/Caddyfile``, every public URL set to the site's.

Through the site only: staff schedule a meetup with the events API, its page and the blog
link to each other, a visitor registers through the API, and the signed links the
services mail (cancel the registration, confirm a subscription) lead back to the site and
work there; the blog's announcement links the meetup on the site.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.settings import NotificationsSettings
from nkohub_publishing.app import create_app as publishing_app
from nkohub_publishing.settings import PublishingSettings
from nkohub_registry.app import create_app as registry_app
from nkohub_registry.settings import RegistrySettings
from tests.support.broker import wait_until
from tests.support.inprocess import serving, staff_headers
from tests.support.notifications_smtp import SmtpRecorder, parts
from tests.support.processes import SiteProxy, free_port

STAFF = staff_headers()
SETTINGS = {
    "registry": RegistrySettings,
    "events": EventsSettings,
    "notifications": NotificationsSettings,
    "publishing": PublishingSettings,
}
NOTIFICATIONS = {"email_rate_per_second": 0, "sender_poll_seconds": 0.1}


@pytest.fixture
def smtp():
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture
async def site(sandbox, smtp, tmp_path):
    """The site's URL; behind it the four services, each on a port of its own."""
    ports = {service: free_port() for service in SETTINGS}
    proxy = SiteProxy(
        {service: [f"127.0.0.1:{port}"] for service, port in ports.items()},
        log_path=tmp_path / "caddy.log",
        state=tmp_path / "caddy",
    )
    makers = {
        "registry": registry_app,
        "events": events_app,
        "notifications": notifications_app,
        "publishing": publishing_app,
    }
    async with contextlib.AsyncExitStack() as stack:
        for service, settings_cls in SETTINGS.items():
            extra: dict[str, Any] = {"site_url": proxy.url, "trusted_proxies": ["127.0.0.1"]}
            if service == "notifications":
                extra |= NOTIFICATIONS | smtp.settings()
            settings = settings_cls(**sandbox.settings(service, **extra))
            await stack.enter_async_context(serving(makers[service](settings), ports[service]))
        proxy.start()
        stack.callback(proxy.stop)
        yield proxy.url


def text_of(message: Any) -> str:
    return parts(message)["text/plain"].get_content()


def link_in(text: str, site: str, path: str) -> str:
    found = re.search(re.escape(site) + re.escape(path) + r"[^\s<>\"]*", text)
    assert found, f"no link {site}{path}… in {text!r}"
    return found.group(0)


async def test_the_site_serves_blog_meetups_apis_and_the_signed_links(site, smtp):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    async with httpx.AsyncClient(base_url=site, timeout=30) as http:
        # An API call through the site: /api/events/v1 is the events service's /api/v1.
        created = await http.post(
            "/api/events/v1/meetups",
            headers=STAFF,
            json={
                "title": "Открытое общение: один сайт",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов"},
                "capacity": 30,
            },
        )
        assert created.status_code == 201, created.text
        mid = created.json()["meetup_id"]
        published = await http.post(f"/api/events/v1/meetups/{mid}/publish", headers=STAFF)
        assert published.status_code == 200, published.text

        # The meetup page and the blog, each linking to the other in the shared bar.
        page = await http.get(f"/meetups/{mid}")
        assert page.status_code == 200
        assert "Открытое общение: один сайт" in page.text
        assert '<a href="/">Блог «Проект +»</a>' in page.text
        blog = await http.get("/")
        assert blog.status_code == 200
        assert '<a href="/meetups">Встречи «Открытое общение»</a>' in blog.text
        assert "Проект +" in blog.text

        # A visitor registers; the confirmation mail's cancel link is on the site and works.
        registered = await http.post(
            f"/api/events/v1/meetups/{mid}/registrations",
            json={
                "name": "Мария Сайтова",
                "email": "maria.site@example.org",
                "role": "activist",
                "consent_personal_data": True,
            },
        )
        assert registered.status_code == 201, registered.text
        rid = registered.json()["registration_id"]
        mails = await smtp.wait_for(lambda ms: any("подтверждена" in m["Subject"] for m in ms))
        confirmation = next(m for m in mails if "подтверждена" in m["Subject"])
        cancel = link_in(text_of(confirmation), site, f"/registrations/{rid}/cancel?")
        asked = await http.get(cancel)
        assert asked.status_code == 200
        assert "Отменить регистрацию" in asked.text
        done = await http.post(cancel)
        assert done.status_code == 200
        assert "Регистрация отменена" in done.text
        state = await http.get(f"/api/events/v1/registrations/{rid}", headers=STAFF)
        assert state.json()["status"] == "cancelled"

        # The notifications service's signed link: a subscription confirmed on the site.
        subscribed = await http.post(
            "/api/notifications/v1/subscriptions",
            json={
                "name": "Пётр",
                "email": "petr.site@example.org",
                "topics": ["meetups"],
                "consent": True,
            },
        )
        assert subscribed.status_code == 202, subscribed.text
        mails = await smtp.wait_for(lambda ms: any("petr.site" in str(m["To"]) for m in ms))
        confirm_mail = next(m for m in mails if "petr.site" in str(m["To"]))
        confirm = link_in(text_of(confirm_mail), site, "/subscriptions/")
        shown = await http.get(confirm)
        assert shown.status_code == 200, shown.text
        confirmed = await http.post(confirm)
        assert confirmed.status_code == 200, confirmed.text

        # The blog's announcement of the meetup links it on the site.
        async def announced() -> bool:
            answer = await http.get(
                f"/api/publishing/v1/posts/meetup-{mid}-announcement", headers=STAFF
            )
            return answer.status_code == 200

        await wait_until(announced, timeout=30, every=0.2)
        post = (
            await http.get(f"/api/publishing/v1/posts/meetup-{mid}-announcement", headers=STAFF)
        ).json()
        assert f"{site}/meetups/{mid}" in str(post)
