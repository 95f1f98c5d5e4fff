"""The one public site routes every path of every service to that service.

Caddy runs with the platform's own ``deploy/caddy/Caddyfile`` in front of stand-in
upstreams that answer with their name and the path they received. Every route of the four
services' apps (read from the apps themselves, so a page added later and not routed fails
here) is requested through the site: public pages must reach their service unchanged,
each API must reach its service under ``/api/<service>/v1`` rewritten to ``/api/v1``, and
the operations endpoints must not be public.
"""

from __future__ import annotations

import pytest

from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.settings import NotificationsSettings
from nkohub_publishing.app import create_app as publishing_app
from nkohub_publishing.settings import PublishingSettings
from nkohub_registry.app import create_app as registry_app
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.web import accessibility
from tests.operations.site import echoing_site, routes, sample_path
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PUBLIC_KEY,
    WEBHOOK_SECRET,
)

SETTINGS = {
    "mongodb_url": "mongodb://127.0.0.1:9",  # never connected: the apps are only read
    "amqp_url": "amqp://guest:guest@127.0.0.1:9/",
    "staff_token_public_key": STAFF_TOKEN_PUBLIC_KEY,
    "link_secret": LINK_SECRET,
    "person_key_secret": PERSON_KEY_SECRET,
    "webhook_secret": WEBHOOK_SECRET,
}
APPS = {
    "registry": lambda: registry_app(RegistrySettings(**SETTINGS)),
    "events": lambda: events_app(EventsSettings(**SETTINGS)),
    "notifications": lambda: notifications_app(NotificationsSettings(**SETTINGS)),
    "publishing": lambda: publishing_app(PublishingSettings(**SETTINGS)),
}
# Paths a service answers that the site deliberately gives to another: the blog owns "/"
# (the events service's "/" only redirects to /meetups, which the site routes to it).
# The switch of the visually impaired version and its stylesheet are the same in every
# service (nkohub_shared.web.accessibility): the blog answers them for the whole site.
GIVEN_AWAY = {("events", "/")} | {
    (service, path)
    for service in ("events", "notifications", "registry")
    for path in (accessibility.SWITCH_PATH, accessibility.STYLESHEET_PATH)
}


def expected_routes() -> list[tuple[str, str, str, str]]:
    """``(service, method, path on the site, path the service must receive)``."""
    cases = []
    for service, make in APPS.items():
        for method, template in routes(make()):
            if (service, template) in GIVEN_AWAY:
                continue
            path = sample_path(template)
            site_path = path.replace("/api/", f"/api/{service}/", 1)
            cases.append((service, method, site_path, path))
    return cases


@pytest.fixture
async def site(tmp_path):
    async with echoing_site(tmp_path) as client:
        yield client


async def test_every_route_of_every_service_reaches_it_through_the_site(site):
    cases = expected_routes()
    assert len(cases) > 100, "the route tables were read"
    wrong = []
    for service, method, site_path, path in cases:
        answer = await site.request(method, site_path)
        if answer.text != f"{service} {method} {path}":
            wrong.append(f"{method} {site_path} → {answer.status_code} {answer.text[:80]!r}")
    assert wrong == [], "routes the site sends elsewhere (add them to deploy/caddy/Caddyfile)"


async def test_the_blog_owns_the_root_and_every_path_nobody_else_claims(site):
    for path in ("/", "/2019/03/otkrytoe-obshchenie.html", "/grants", "/feed.atom", "/x/y"):
        assert (await site.get(path)).text == f"publishing GET {path}"


async def test_the_console_lives_under_its_path(site):
    for path in ("/console", "/console/login", "/console/meetups/x1"):
        assert (await site.get(path)).text == f"console GET {path}"


async def test_openapi_documents_are_under_each_api_and_operations_are_not_public(site):
    for service in APPS:
        answer = await site.get(f"/api/{service}/openapi.json")
        assert answer.text == f"{service} GET /openapi.json"
        answer = await site.get(f"/api/{service}/asyncapi.json")
        assert answer.text == f"{service} GET /asyncapi.json"
    for path in ("/metrics", "/health/ready", "/health/live", "/openapi.json", "/docs"):
        answer = await site.get(path)
        assert answer.status_code == 404, path
        assert "GET" not in answer.text, f"{path} reached a service"
    answer = await site.get("/api/v1/meetups")
    assert answer.status_code == 404
    assert "/api/events/v1" in answer.text
