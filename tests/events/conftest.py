"""The events service running in the test's process against the real servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nkohub_events.app import create_app
from nkohub_events.settings import EventsSettings
from tests.support.broker import publish_events
from tests.support.inprocess import running, staff_headers

STAFF = staff_headers()


@pytest.fixture
async def events(sandbox):
    app = create_app(EventsSettings(**sandbox.settings("events")))
    async with running(app) as client:
        client.app = app
        yield client


def meetup_body(**overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    body = {
        "title": "Открытое общение: гранты",
        "kind": "meetup",
        "description": "Встреча НКО с администрацией",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов", "hall_capacity": 65},
        "capacity": 65,
        "reserved_seats": 0,
        "topics": ["гранты"],
        "program": [
            {"kind": "talk", "title": "Итоги конкурсов", "speaker_name": "Глава города"},
        ],
    }
    body.update(overrides)
    return body


async def scheduled_meetup(client, **overrides: Any) -> dict[str, Any]:
    created = await client.post("/api/v1/meetups", json=meetup_body(**overrides), headers=STAFF)
    assert created.status_code == 201, created.text
    published = await client.post(
        f"/api/v1/meetups/{created.json()['meetup_id']}/publish", headers=STAFF
    )
    assert published.status_code == 200, published.text
    return published.json()


def person(i: int | str, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"Участник {i}",
        "email": f"person{i}@example.org",
        "role": "ngo_representative",
        "organization_name": f"АНО «Проект {i}»",
        "consent_personal_data": True,
    }
    body.update(overrides)
    return body


async def move_to_past(client, meetup_id: str) -> None:
    """Staff correct the time so the meetup has started (to complete it in a test)."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    r = await client.patch(
        f"/api/v1/meetups/{meetup_id}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()},
        headers=STAFF,
    )
    assert r.status_code == 200, r.text


async def publish(sandbox, data) -> str:
    """Put an integration event of another service on the real bus; returns its id."""
    (envelope,) = await publish_events(sandbox.amqp_url, data)
    return envelope.id
