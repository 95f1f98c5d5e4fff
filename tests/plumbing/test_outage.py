"""A MongoDB outage of 90 s during a flow of events dead-letters nothing and doubles nothing.

The consumer's database is a MongoDB-wire server of the test's own (the shared one is never
broken): it is stopped (SIGTERM, then started again on the same data file) or stalled
(SIGSTOP, then SIGCONT) for 90 s. The producer keeps its database on the shared server and
keeps storing events all the while, so the consumer has messages in hand when MongoDB
goes and a queue full of them when it returns. Each must be applied exactly once after,
none dead-lettered, although a delivery limit of 5 would be spent in seconds by nacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pymongo import AsyncMongoClient

from nkohub_shared.bus.topology import dead_letter_queue_name
from tests.support.broker import queue_depth, wait_until
from tests.support.isolation import Sandbox
from tests.support.metrics import scrape
from tests.support.mongo_wire import MongoWireServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

QUEUE = "probe.counter"
DEAD_LETTERS = dead_letter_queue_name(QUEUE)
OUTAGE_SECONDS = 90.0
BATCH = 5
BATCH_EVERY_SECONDS = 0.5
MAX_BATCHES = 1000

# The consumer gives up on a silent server within seconds, retries every ≤ 2 s.
CONSUMER_SETTINGS: dict[str, object] = {
    "mongodb_connect_timeout_ms": 2000,
    "mongodb_socket_timeout_ms": 3000,
    "outage_retry_max_seconds": 2.0,
    "delivery_limit": 5,
}


class Flow:
    """Stores ``BATCH`` probes every ``BATCH_EVERY_SECONDS`` through the producer."""

    def __init__(self, producer_url: str) -> None:
        self._url = producer_url
        self.keys: list[str] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        async with httpx.AsyncClient(base_url=self._url, timeout=30) as client:
            for n in range(MAX_BATCHES):
                if self._stop.is_set():
                    return
                keys = [f"o{n:04d}-{i}" for i in range(BATCH)]
                response = await client.post("/probes", json={"keys": keys})
                response.raise_for_status()
                self.keys.extend(keys)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), BATCH_EVERY_SECONDS)


async def _effects(mongo: AsyncMongoClient[dict[str, Any]], sandbox: Sandbox) -> dict[str, int]:
    cursor = mongo[sandbox.database("probe_consumer")].effects.find({}, {"applied": 1})
    return {doc["_id"]: doc["applied"] async for doc in cursor}


async def _unacknowledged(sandbox: Sandbox, queue: str) -> int:
    """Messages delivered to a consumer and not yet acked (management API statistics)."""
    servers = sandbox.servers
    path = f"/api/queues/{quote(sandbox.vhost, safe='')}/{quote(queue, safe='')}"
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.amqp_credentials, timeout=10
    ) as api:
        response = await api.get(path)
        response.raise_for_status()
        return int(response.json().get("messages_unacknowledged", 0))


def _held(url: str) -> float:
    return scrape(url).value("nkohub_events_held_for_infrastructure", queue=QUEUE)


def _readiness(url: str) -> httpx.Response:
    return httpx.get(f"{url}/health/ready", timeout=15)


@pytest.mark.parametrize("outage", ["stopped", "stalled"])
async def test_a_mongodb_outage_of_90_s_dead_letters_nothing_and_applies_each_event_once(
    own_mongo_wire: MongoWireServer, probe, sandbox: Sandbox, outage: str
):
    consumer = probe("consumer", mongodb_url=own_mongo_wire.url, **CONSUMER_SETTINGS)
    producer = probe("producer")
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        own_mongo_wire.url, serverSelectionTimeoutMS=2000
    )
    flow = Flow(producer.url)
    started = time.monotonic()
    try:
        flow.start()
        await wait_until(lambda: _at_least(_effects(mongo, sandbox), 50), timeout=60)

        if outage == "stopped":
            own_mongo_wire.stop()
        else:
            own_mongo_wire.pause()
        outage_began = time.monotonic()
        sent_at_outage = len(flow.keys)
        # While MongoDB is away: the consumer holds messages unacknowledged, says it is
        # not ready because of MongoDB, and answers a request with 503 instead of hanging.
        await wait_until(lambda: _unacknowledged(sandbox, QUEUE), timeout=45, every=1.0)
        await wait_until(lambda: _held(consumer.url), timeout=30, every=0.5)
        not_ready = await asyncio.to_thread(_readiness, consumer.url)
        assert not_ready.status_code == 503
        assert not_ready.json()["mongodb"].startswith("unavailable")
        assert not_ready.json()["rabbitmq"] == "ok"
        refused = await asyncio.to_thread(
            httpx.post, f"{consumer.url}/probes", json={"keys": ["refused"]}, timeout=60
        )
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "unavailable"
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_began)))
        dead_during_outage = await queue_depth(sandbox.amqp_url, DEAD_LETTERS)

        if outage == "stopped":
            own_mongo_wire.start()
        else:
            own_mongo_wire.resume()
        await asyncio.sleep(5)  # the flow goes on a little after MongoDB's return
        await flow.stop()

        keys = flow.keys
        try:
            await wait_until(
                lambda: _at_least(_effects(mongo, sandbox), len(keys)), timeout=180, every=1.0
            )
        except TimeoutError:
            applied = await _effects(mongo, sandbox)
            pytest.fail(
                f"{len(set(keys) - set(applied))} of {len(keys)} events not applied; "
                f"dead letters: {await queue_depth(sandbox.amqp_url, DEAD_LETTERS)}"
            )
        applied = await _effects(mongo, sandbox)
        dead_letters = await queue_depth(sandbox.amqp_url, DEAD_LETTERS)
        doubled = {key: n for key, n in applied.items() if n != 1}
        print(
            f"\n[outage {outage}] events {len(keys)} (sent before the outage: "
            f"{sent_at_outage}), dead-lettered {dead_letters} (during it: "
            f"{dead_during_outage}), applied twice or more {len(doubled)}, "
            f"total {time.monotonic() - started:.0f} s"
        )
        assert dead_during_outage == 0
        assert dead_letters == 0
        assert set(applied) == set(keys)
        assert not doubled, f"second effects: {doubled}"
        assert len(keys) > sent_at_outage, "events were stored during the outage too"
        await wait_until(lambda: _readiness(consumer.url).status_code == 200, timeout=30)
        metrics = scrape(consumer.url)
        consumed = "nkohub_events_consumed_total"
        assert metrics.value(consumed, outcome="waiting_for_infrastructure") > 0
        assert metrics.value(consumed, outcome="dead_lettered") == 0
        assert metrics.value(consumed, outcome="handled") >= len(keys)
        assert metrics.value("nkohub_events_held_for_infrastructure", queue=QUEUE) == 0
    finally:
        await flow.stop()
        own_mongo_wire.resume()
        await mongo.close()


async def _at_least(pending, n: int) -> bool:
    return len(await pending) >= n
