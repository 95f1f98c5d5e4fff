"""Every service's ``/metrics`` labels HTTP requests by the route template that answered:
the ``/api/v1`` prefix of included routers, the console's ``/console`` prefix and its
mounted static files included; ``unmatched`` for a path no route has. Shown on each of
the five apps in-process, with real requests."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.console.support import console_settings
from tests.support.inprocess import running, staff_headers
from tests.support.isolation import Sandbox

REQUESTS = "nkohub_http_requests_total"

# service → (path requested, the route label expected, status expected)
CASES: dict[str, list[tuple[str, str, int]]] = {
    "registry": [
        ("/api/v1/organizations/no-such-org", "/api/v1/organizations/{organization_id}", 404),
        ("/organizations/join", "/organizations/join", 200),
    ],
    "events": [
        ("/api/v1/meetups/no-such-meetup", "/api/v1/meetups/{meetup_id}", 404),
        ("/meetups/no-such-meetup", "/meetups/{meetup_id}", 404),
    ],
    "notifications": [
        ("/api/v1/staff/mailings/no-such-mailing", "/api/v1/staff/mailings/{mailing_id}", 404),
        ("/subscribe", "/subscribe", 200),
    ],
    "publishing": [
        ("/api/v1/posts/no-such-post", "/api/v1/posts/{post_id}", 404),
        ("/category/no-such-category", "/category/{key}", 404),
    ],
    "console": [
        ("/console/organizations/no-such-org", "/console/organizations/{organization_id}", 303),
        ("/console/api/v1/session", "/console/api/v1/session", 401),
        ("/console/static/console.css", "/console/static/{path}", 200),
        ("/console/static/no-such-file.css", "/console/static/{path}", 404),
    ],
}
EVERYWHERE = [
    ("/openapi.json", "/openapi.json", 200),
    ("/health/live", "/health/live", 200),
    ("/no/such/path/12345", "unmatched", 404),
]


def _app(name: str, sandbox: Sandbox) -> Any:
    module = importlib.import_module(f"nkohub_{name}.app")
    if name == "console":
        return module.create_app(console_settings(sandbox))
    settings = importlib.import_module(f"nkohub_{name}.settings")
    (cls,) = [
        value
        for key, value in vars(settings).items()
        if key.lower() == f"{name}settings" and isinstance(value, type)
    ]
    return module.create_app(cls(**sandbox.settings(name)))


def _requests(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == REQUESTS
    }


@pytest.mark.parametrize("name", list(CASES))
async def test_requests_are_labelled_by_their_route_template(name, sandbox: Sandbox):
    cases = CASES[name] + EVERYWHERE
    async with running(_app(name, sandbox)) as client:
        for path, _, status in cases:
            response = await client.get(path, headers=staff_headers())
            assert response.status_code == status, path
        # a second request of another id lands on the same series
        await client.get(cases[0][0] + "-2", headers=staff_headers())
        metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    found = _requests(metrics.text)
    expected: dict[tuple[str, str, str], float] = {}
    for _, route, status in cases:
        key = ("GET", route, str(status))
        expected[key] = expected.get(key, 0) + 1
    first = ("GET", cases[0][1], str(cases[0][2]))
    expected[first] += 1
    assert {key: found.get(key) for key in expected} == expected
    # only templates: no raw path of a request is a label
    routes = {route for _, route, _ in found}
    assert routes <= {route for _, route, _ in cases}, routes


def test_the_template_of_a_mount_is_its_path():
    """The arithmetic of a mounted app's prefix, on a server that itself has a root path."""
    from nkohub_shared.metrics import route_template

    scope = {"root_path": "/site/console/static", "app_root_path": "/site", "endpoint": object()}
    assert route_template(scope) == "/console/static/{path}"
    assert route_template({"root_path": "/site", "app_root_path": "/site"}) == "unmatched"
