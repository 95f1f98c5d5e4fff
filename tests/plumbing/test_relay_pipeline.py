"""The pipelined outbox relay: each document's events leave in order, none is lost.

The relay runs in this process against the sandbox's MongoDB; RabbitMQ is the real one
where the test needs the wire (order on a queue), a scripted publisher where it needs a
publish to fail at an exact point (the broker going away mid-window).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from typing import Any

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from nkohub_contracts import new_event
from nkohub_shared.bus.publisher import EventPublisher, PublishNotConfirmed
from nkohub_shared.bus.relay import OutboxRelay
from nkohub_shared.bus.topology import EXCHANGE_NAME
from nkohub_shared.storage.outbox import OUTBOX_FIELD
from nkohub_shared.storage.writer import Outbox
from tests.support.broker import wait_until
from tests.support.isolation import Sandbox
from tests.support.probe_service import ProbeRecorded

DOCUMENTS = 120
EVENTS_PER_DOCUMENT = 3
WINDOW = 16  # small, so that the window fills and rolls many times in one sweep


@pytest.fixture
async def db(sandbox: Sandbox) -> Iterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(sandbox.servers.mongodb_url)
    yield client[sandbox.database("relay")]
    await client.close()


def _key(document: int, n: int) -> str:
    return f"d{document:03d}-{n}"


async def _write(db: Any, documents: int = DOCUMENTS) -> dict[str, list[str]]:
    """Documents with their events in the outbox (relay stopped); the event ids each
    document carries, in the order they were written."""
    writer = Outbox().writer(db.things)
    written: dict[str, list[str]] = {}
    items = []
    for d in range(documents):
        events = [new_event(ProbeRecorded(key=_key(d, n))) for n in range(EVENTS_PER_DOCUMENT)]
        written[f"doc{d:03d}"] = [e.id for e in events]
        items.append(({"_id": f"doc{d:03d}"}, events))
    await writer.insert_many(items)
    return written


async def _pending(db: Any) -> dict[str, list[str]]:
    return {
        doc["_id"]: [e["id"] for e in doc.get(OUTBOX_FIELD, [])]
        async for doc in db.things.find({})
        if doc.get(OUTBOX_FIELD)
    }


class ScriptedPublisher:
    """Confirms after a random short delay (so confirms come back out of order), records
    what it confirmed in order, and from the ``fail_from``-th publish on fails every
    publish, as a broker that went away does."""

    def __init__(self, fail_from: int | None = None, *, seed: int = 7) -> None:
        self.confirmed: list[dict[str, Any]] = []
        self.attempts = 0
        self._fail_from = fail_from
        self._random = random.Random(seed)

    async def publish(self, entry: dict[str, Any]) -> None:
        self.attempts += 1
        failing = self._fail_from is not None and self.attempts >= self._fail_from
        await asyncio.sleep(self._random.random() * 0.003)
        if failing:
            raise PublishNotConfirmed(f"event {entry['id']}: the broker went away")
        self.confirmed.append(entry)


def _in_written_order(confirmed: list[str], written: dict[str, list[str]]) -> None:
    """Each document's confirmed events are a prefix of what it carried, in order."""
    position = {event_id: i for ids in written.values() for i, event_id in enumerate(ids)}
    owner = {event_id: doc for doc, ids in written.items() for event_id in ids}
    seen: dict[str, list[int]] = {}
    for event_id in confirmed:
        seen.setdefault(owner[event_id], []).append(position[event_id])
    for doc, positions in seen.items():
        assert positions == list(range(len(positions))), f"{doc}: out of order {positions}"


async def test_a_sweep_publishes_every_event_of_every_document_in_order_and_empties_the_outbox(
    db,
):
    written = await _write(db)
    publisher = ScriptedPublisher()
    relay = OutboxRelay(db, ["things"], publisher, batch_size=WINDOW)  # type: ignore[arg-type]

    assert await relay.sweep() == DOCUMENTS * EVENTS_PER_DOCUMENT

    confirmed = [entry["id"] for entry in publisher.confirmed]
    assert sorted(confirmed) == sorted(i for ids in written.values() for i in ids)
    _in_written_order(confirmed, written)
    assert await _pending(db) == {}


async def test_the_broker_failing_mid_window_loses_no_event_and_the_next_sweep_sends_the_rest(
    db,
):
    written = await _write(db)
    failing = ScriptedPublisher(fail_from=100)
    relay = OutboxRelay(db, ["things"], failing, batch_size=WINDOW)  # type: ignore[arg-type]

    with pytest.raises(PublishNotConfirmed):
        await relay.sweep()

    first = [entry["id"] for entry in failing.confirmed]
    assert 0 < len(first) < 100, "some events were confirmed before the failure"
    _in_written_order(first, written)
    pending = await _pending(db)
    # what was confirmed is out of its document, what was not is still in it, in order:
    # for each document, confirmed prefix + pending suffix = what it carried
    for doc, ids in written.items():
        sent = [i for i in first if i in set(ids)]
        assert sent + pending.get(doc, []) == ids, doc
    assert failing.attempts < DOCUMENTS * EVENTS_PER_DOCUMENT, "it read no further"

    healthy = ScriptedPublisher(seed=11)
    relay = OutboxRelay(db, ["things"], healthy, batch_size=WINDOW)  # type: ignore[arg-type]
    second_count = await relay.sweep()
    second = [entry["id"] for entry in healthy.confirmed]
    assert second_count == len(second) == DOCUMENTS * EVENTS_PER_DOCUMENT - len(first)
    assert sorted(first + second) == sorted(i for ids in written.values() for i in ids)
    _in_written_order(first + second, written)
    assert await _pending(db) == {}


async def test_an_event_added_to_a_document_during_its_sweep_stays_for_the_next(db):
    written = await _write(db, documents=5)
    late = new_event(ProbeRecorded(key="late"))
    writer = Outbox().writer(db.things)

    class AddsOneWhilePublishing(ScriptedPublisher):
        async def publish(self, entry: dict[str, Any]) -> None:
            if entry["id"] == written["doc002"][0]:  # doc002 was read; a write adds to it
                await writer.update({"_id": "doc002"}, {"$set": {"touched": True}}, late)
            await super().publish(entry)

    relay = OutboxRelay(db, ["things"], AddsOneWhilePublishing(), batch_size=WINDOW)  # type: ignore[arg-type]
    assert await relay.sweep() == 5 * EVENTS_PER_DOCUMENT
    assert await _pending(db) == {"doc002": [late.id]}


async def test_through_rabbitmq_each_documents_events_reach_a_queue_in_order(sandbox, db):
    written = await _write(db)
    broker = RabbitBroker(sandbox.amqp_url)
    await broker.connect()
    connection = await aio_pika.connect(sandbox.amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EXCHANGE_NAME, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue("relay.order", durable=True)
        await queue.bind(exchange, routing_key=ProbeRecorded.type)
        relay = OutboxRelay(db, ["things"], EventPublisher(broker), batch_size=WINDOW)

        assert await relay.sweep() == DOCUMENTS * EVENTS_PER_DOCUMENT

        received: list[str] = []

        async def drained() -> bool:
            while (message := await queue.get(fail=False)) is not None:
                received.append(json.loads(message.body)["id"])
                await message.ack()
            return len(received) >= DOCUMENTS * EVENTS_PER_DOCUMENT

        await wait_until(drained, timeout=60, every=0.1)
        assert sorted(received) == sorted(i for ids in written.values() for i in ids)
        _in_written_order(received, written)
        assert await _pending(db) == {}
    finally:
        await connection.close()
        await broker.stop()
