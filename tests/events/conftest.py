"""The events service running in the test's process against the real servers."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest

from nkohub_events.app import create_app
from nkohub_events.repository import OUTBOX_COLLECTIONS
from nkohub_events.settings import EventsSettings
from nkohub_shared.links import LinkSigner, Purpose, feedback_path, registration_cancel_path
from nkohub_shared.storage.outbox import PENDING_FILTER
from tests.support.broker import EventSpy, publish_events, wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.isolation import LINK_SECRET

STAFF = staff_headers()
SIGNER = LinkSigner(LINK_SECRET)


def registration_token(registration_id: str) -> str:
    """The token of the links mailed to a registrant (as a person clicking them has it)."""
    return SIGNER.token(Purpose.REGISTRATION, registration_id)


def consultation_token(consultation_id: str) -> str:
    return SIGNER.token(Purpose.CONSULTATION, consultation_id)


def registration_cancel_link(registration_id: str) -> str:
    return SIGNER.link(
        "", registration_cancel_path(registration_id), Purpose.REGISTRATION, registration_id
    )


def feedback_link(meetup_id: str, registration_id: str) -> str:
    return SIGNER.link(
        "",
        feedback_path(meetup_id),
        Purpose.REGISTRATION,
        registration_id,
        registration=registration_id,
    )


# The test client is the reverse proxy: its X-Forwarded-For names the caller.
PROXY = "127.0.0.1"


def events_settings(sandbox, **overrides: Any) -> EventsSettings:
    return EventsSettings(**sandbox.settings("events", trusted_proxies=[PROXY], **overrides))


@pytest.fixture
async def events(sandbox):
    app = create_app(events_settings(sandbox))
    async with running(app) as client:
        client.app = app
        yield client


def from_client(i: int | str) -> dict[str, str]:
    """Headers of a request from the client address number ``i`` (through the proxy)."""
    n = abs(hash(str(i))) % (250 * 250) if not isinstance(i, int) else i
    return {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250 + 1}"}


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


async def caught_up(client, spy: EventSpy, timeout: float = 60.0) -> None:
    """Wait until the spy has seen every event the service has written so far: first the
    service's outboxes are empty (the relay removes an event only after the broker
    confirmed it, i.e. routed it to the spy's queue), then a marker published after that
    has reached the spy (its queue delivers in order). Asserting that something did NOT
    happen is only meaningful after this."""
    runtime = client.app.state.runtime

    async def outbox_empty() -> bool:
        for name in OUTBOX_COLLECTIONS:
            if await runtime.db[name].count_documents(PENDING_FILTER):
                return False
        return True

    await wait_until(outbox_empty, timeout=timeout)
    marker = {"type": "test.caught-up", "id": uuid.uuid4().hex}
    connection = await aio_pika.connect(str(runtime.settings.amqp_url))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            "nkohub", aio_pika.ExchangeType.TOPIC, durable=True
        )
        await exchange.publish(
            aio_pika.Message(json.dumps(marker).encode()), routing_key=marker["type"]
        )
    await spy.wait_for(lambda events: any(e.get("id") == marker["id"] for e in events), timeout)


async def consumed(client, queue: str, n: int, outcome: str = "handled") -> bool:
    """The service's metrics count at least ``n`` deliveries of ``queue`` with ``outcome``
    (how a test knows an event was handled whose handler keeps no processed-events record:
    ``EventConsumer.on(..., idempotent=True)``)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = (await client.get("/metrics")).text
    found = sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "nkohub_events_consumed_total"
        and sample.labels.get("queue") == queue
        and sample.labels.get("outcome") == outcome
    )
    return found >= n
