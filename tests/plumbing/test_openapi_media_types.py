"""Every service's OpenAPI document names the media types its downloads answer in (CSV,
XLSX, iCalendar, HTML, text), as a client or a fuzzer needs to know them."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from nkohub_shared.settings import ServiceSettings
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PUBLIC_KEY,
    WEBHOOK_SECRET,
)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS = "text/calendar; charset=utf-8"
JSON = "application/json"
EXPECTED = {
    ("registry", "/api/v1/organizations/export"): {CSV, XLSX},
    ("registry", "/api/v1/proposals/export"): {CSV, XLSX},
    ("events", "/api/v1/meetups/{meetup_id}/registrations"): {JSON, CSV, XLSX},
    ("events", "/api/v1/reports/practice"): {JSON, CSV, XLSX},
    ("events", "/api/v1/meetups/{meetup_id}/calendar.ics"): {ICS},
    ("events", "/api/v1/calendar.ics"): {ICS},
    ("notifications", "/api/v1/staff/templates/{name}/preview"): {
        JSON,
        "text/html; charset=utf-8",
        "text/plain; charset=utf-8",
    },
}


def openapi_of(service: str) -> dict[str, Any]:
    settings_module = importlib.import_module(f"nkohub_{service}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings")
        and isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value.__module__ == settings_module.__name__  # the service's own, not a base
    )
    settings = settings_class(
        _env_file=None,
        mongodb_url="mongodb://db.invalid",
        amqp_url="amqp://bus.invalid",
        staff_token_public_key=STAFF_TOKEN_PUBLIC_KEY,
        link_secret=LINK_SECRET,
        person_key_secret=PERSON_KEY_SECRET,
        webhook_secret=WEBHOOK_SECRET,
    )
    return importlib.import_module(f"nkohub_{service}.app").create_app(settings).openapi()


@pytest.mark.parametrize(("service", "path"), sorted(EXPECTED))
def test_a_download_documents_its_media_types(service: str, path: str) -> None:
    answer = openapi_of(service)["paths"][path]["get"]["responses"]["200"]
    assert set(answer["content"]) == EXPECTED[(service, path)]
    if XLSX in answer["content"]:
        assert answer["content"][XLSX]["schema"] == {"type": "string", "format": "binary"}
