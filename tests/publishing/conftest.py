"""Fixtures of the publishing suite: the service's real runtime in the test's process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from nkohub_contracts import CloudEvent
from nkohub_publishing.app import create_app
from nkohub_publishing.repository import OUTBOX_COLLECTIONS
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.bus.inbox import COLLECTION as PROCESSED_EVENTS
from nkohub_shared.bus.inbox import Inbox
from nkohub_shared.storage.outbox import OUTBOX_FIELD, PENDING_FILTER
from tests.support.broker import EventSpy, publish_events
from tests.support.inprocess import running, staff_headers
from tests.support.isolation import Sandbox

BASE_URL = "https://proekt-plus.example"


@pytest.fixture
def publishing_settings(sandbox) -> Callable[..., PublishingSettings]:
    def make(**overrides: Any) -> PublishingSettings:
        values: dict[str, Any] = {
            "public_base_url": BASE_URL,
            "scheduler_seconds": 0.3,
            "view_report_grace_seconds": 0.2,
            **overrides,
        }
        return PublishingSettings(**sandbox.settings("publishing", **values))

    return make


@pytest.fixture
def service(publishing_settings) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with service(**settings) as client``: the running service."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return running(create_app(publishing_settings(**overrides)))

    return start


@pytest.fixture
async def client(service) -> AsyncIterator[httpx.AsyncClient]:
    async with service() as c:
        c.headers.update(staff_headers())
        yield c


async def make_post(client: httpx.AsyncClient, publish: bool = True, **fields: Any) -> dict:
    body = {"title": "Запись", "body": "Текст записи.", "category": "ngo-news", **fields}
    response = await client.post("/api/v1/posts", json=body)
    assert response.status_code == 201, response.text
    post = response.json()
    if publish:
        response = await client.post(f"/api/v1/posts/{post['id']}/publish")
        assert response.status_code == 200, response.text
        post = response.json()
    return post


# ---------------------------------------------------------------- proof that all was seen


async def _database(sandbox: Sandbox, work: Callable[[Any], Any]) -> Any:
    mongo: AsyncMongoClient = AsyncMongoClient(sandbox.servers.mongodb_url)
    try:
        return await work(mongo[sandbox.database("publishing")])
    finally:
        await mongo.close()


async def pending_events(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Events the service has written to its outbox and not published yet."""

    async def read(db: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for name in OUTBOX_COLLECTIONS:
            async for doc in db[name].find(PENDING_FILTER, {OUTBOX_FIELD: 1}):
                found += doc[OUTBOX_FIELD]
        return found

    return await _database(sandbox, read)


async def spy_caught_up(spy: EventSpy, sandbox: Sandbox) -> None:
    """Wait until ``spy`` has every message published before this call: a marker published
    now is queued behind them."""
    marker = CloudEvent(
        specversion="1.0",
        id=uuid.uuid4().hex,
        source="/tests",
        type="tests.spy-marker",
        time=datetime.now(UTC),
        data={},
    )
    await publish_events(sandbox.amqp_url, marker)
    await spy.wait_for(lambda events: any(e["id"] == marker.id for e in events))


async def events_written(spy: EventSpy, sandbox: Sandbox, event_type: str) -> list[dict]:
    """Every event of ``event_type`` the service wrote before this call, once each (by id),
    whether published already or still in the outbox. The outbox is read first: an event
    not in it then was published (confirmed) before the spy's marker."""
    pending = [e for e in await pending_events(sandbox) if e["type"] == event_type]
    await spy_caught_up(spy, sandbox)
    return list({e["id"]: e for e in [*spy.of_type(event_type), *pending]}.values())


async def handled(sandbox: Sandbox, queue: str, event_id: str) -> bool:
    """Whether the service's consumer ``queue`` has finished handling the event."""

    async def read(db: Any) -> bool:
        record = await db[PROCESSED_EVENTS].find_one({"_id": Inbox.key(queue, event_id)})
        return record is not None and record["state"] == "done"

    return await _database(sandbox, read)


async def views_of(
    client: httpx.AsyncClient, post_ids: list[str], *, total: int, timeout: float = 10.0
) -> list[int]:
    """The posts' view counts once they add up to ``total`` (views are counted off the
    request path, so a page answered does not mean its view is counted yet), or as they
    are at the deadline."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        counts = [(await client.get(f"/api/v1/posts/{p}")).json()["views"] for p in post_ids]
        if sum(counts) >= total or asyncio.get_running_loop().time() > deadline:
            return counts
        await asyncio.sleep(0.05)
