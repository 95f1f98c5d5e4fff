"""Events cross process boundaries exactly once in effect, whatever breaks on the way.

Every test runs real processes against the real MongoDB-wire server and RabbitMQ, in a
vhost and databases of its own. The tests that stop the broker (``broker_control``) stop a
RabbitMQ node started for them (tests/support/own_rabbitmq.py), never the shared broker
other tests (or a developer's other work) are using.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import aio_pika
import httpx
import pytest
from pymongo import AsyncMongoClient

from nkohub_contracts import new_event
from nkohub_shared.bus.topology import dead_letter_queue_name
from tests.support import own_rabbitmq
from tests.support.broker import BrokerControl, drain, queue_depth, wait_until
from tests.support.isolation import Sandbox, create_sandbox, destroy_sandbox
from tests.support.own_rabbitmq import OwnRabbitMQ
from tests.support.probe_service import ProbeRecorded
from tests.support.servers import Servers

QUEUE = "probe.counter"
DEAD_LETTERS = dead_letter_queue_name(QUEUE)


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRabbitMQ]:
    """A RabbitMQ node for this module's broker outages only (Debian's rabbitmq-server)."""
    if not own_rabbitmq.available():
        pytest.skip("stopping a broker needs one of the test's own: install rabbitmq-server")
    node = OwnRabbitMQ(tmp_path_factory.mktemp("own-rabbitmq")).start()
    yield node
    node.stop()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, servers: Servers) -> Iterator[Sandbox]:
    """The shared servers' sandbox, except for a test that stops the broker: its vhost is
    on the module's own RabbitMQ node (its databases on the shared MongoDB-wire server)."""
    if "broker_control" in request.fixturenames:
        servers = request.getfixturevalue("own_broker").servers(servers.mongodb_url)
    box = create_sandbox(servers)
    yield box
    destroy_sandbox(box)


@pytest.fixture
def broker_control(sandbox: Sandbox, own_broker: OwnRabbitMQ) -> Iterator[BrokerControl]:
    """Stops and starts the test's own node; refuses any other."""
    assert sandbox.servers.rabbitmqctl == own_broker.rabbitmqctl
    control = BrokerControl(sandbox.servers)
    yield control
    control.start()  # whatever the test did, leave the node running
    own_broker.wait_for_management()


@pytest.fixture
async def mongo(sandbox: Sandbox):
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(sandbox.servers.mongodb_url)
    yield client
    await client.close()


def consumer_db(mongo, sandbox: Sandbox):
    return mongo[sandbox.database("probe_consumer")]


def producer_db(mongo, sandbox: Sandbox):
    return mongo[sandbox.database("probe_producer")]


async def effects(mongo, sandbox: Sandbox) -> dict[str, int]:
    cursor = consumer_db(mongo, sandbox).effects.find({}, {"applied": 1})
    return {doc["_id"]: doc["applied"] async for doc in cursor}


async def publish_raw(sandbox: Sandbox, body: bytes, routing_key: str, message_id: str) -> None:
    connection = await aio_pika.connect(sandbox.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("nkohub")
        await exchange.publish(
            aio_pika.Message(body, message_id=message_id, delivery_mode=2),
            routing_key=routing_key,
        )


def post_probes(producer, keys: list[str], **extra: Any) -> None:
    response = httpx.post(f"{producer.url}/probes", json={"keys": keys, **extra}, timeout=30)
    response.raise_for_status()


async def test_event_reaches_a_consumer_in_another_process_once(probe, sandbox, mongo):
    consumer = probe("consumer")
    producer = probe("producer")
    post_probes(producer, ["a", "b"])

    await wait_until(lambda: _has(effects(mongo, sandbox), {"a", "b"}))
    assert await effects(mongo, sandbox) == {"a": 1, "b": 1}

    # The consumer may apply an event before the relay has taken the confirmed entry out
    # of the outbox (under load it did): the removal follows, it is not a precondition.
    async def outbox_empty() -> bool:
        waiting = {"_outbox.0": {"$exists": 1}}
        return await producer_db(mongo, sandbox).probes.count_documents(waiting) == 0

    try:
        await wait_until(outbox_empty, timeout=30)
    except TimeoutError:
        pytest.fail("the relay did not remove the events the broker confirmed")
    assert await effects(mongo, sandbox) == {"a": 1, "b": 1}
    assert consumer.process.poll() is None


@pytest.mark.slow
async def test_relay_killed_between_write_and_publish_delivers_after_restart(probe, sandbox, mongo):
    probe("consumer")
    crashing = probe("producer", crash=True)
    # the relay is kicked by the write: the process may die before it answers
    with contextlib.suppress(httpx.HTTPError):
        post_probes(crashing, ["survivor"])
    assert crashing.wait_exit(15) == -9, "killed by SIGKILL, before publishing"
    stored = await producer_db(mongo, sandbox).probes.find_one({"_id": "survivor"})
    assert stored is not None and len(stored["_outbox"]) == 1, "written, not yet published"
    assert await effects(mongo, sandbox) == {}

    probe("producer")  # restart: the start-up sweep finds the event
    await wait_until(lambda: _has(effects(mongo, sandbox), {"survivor"}))
    assert await effects(mongo, sandbox) == {"survivor": 1}


async def test_the_same_event_delivered_twice_has_one_effect(probe, sandbox, mongo):
    probe("consumer")
    envelope = new_event(ProbeRecorded(key="twice"))
    body = envelope.model_dump_json().encode()
    await publish_raw(sandbox, body, envelope.type, envelope.id)
    await publish_raw(sandbox, body, envelope.type, envelope.id)
    marker = new_event(ProbeRecorded(key="after"))  # published after both copies
    await publish_raw(sandbox, marker.model_dump_json().encode(), marker.type, marker.id)

    await wait_until(lambda: _has(effects(mongo, sandbox), {"twice", "after"}))
    await wait_until(lambda: _depth_is(sandbox.amqp_url, QUEUE, 0))
    records = consumer_db(mongo, sandbox).processed_events
    assert await records.count_documents({"event_id": envelope.id, "state": "done"}) == 1
    assert await effects(mongo, sandbox) == {"twice": 1, "after": 1}


async def test_a_handler_failing_twice_then_succeeding_has_one_effect(probe, sandbox, mongo):
    probe("consumer")
    producer = probe("producer")
    post_probes(producer, ["flaky"], fail_times=2)

    await wait_until(lambda: _has(effects(mongo, sandbox), {"flaky"}))
    attempts = await consumer_db(mongo, sandbox).attempts.find_one({"_id": "flaky"})
    assert attempts["n"] == 3, "two failures, then the success"
    assert await effects(mongo, sandbox) == {"flaky": 1}
    assert await queue_depth(sandbox.amqp_url, DEAD_LETTERS) == 0


async def test_poison_messages_are_dead_lettered_while_the_rest_flows(probe, sandbox, mongo):
    probe("consumer", delivery_limit=3)
    producer = probe("producer")
    routing_key = ProbeRecorded.type
    await publish_raw(sandbox, b"not json at all", routing_key, "garbage-1")
    unknown = new_event(ProbeRecorded(key="x")).model_dump(mode="json")
    unknown["type"] = "events.probe.unheard_of"
    await publish_raw(sandbox, json.dumps(unknown).encode(), routing_key, unknown["id"])
    wrong_data = new_event(ProbeRecorded(key="y")).model_dump(mode="json")
    del wrong_data["data"]["key"]
    await publish_raw(sandbox, json.dumps(wrong_data).encode(), routing_key, wrong_data["id"])
    post_probes(producer, ["always-fails"], fail_times=1000)
    post_probes(producer, [f"fine-{i}" for i in range(20)])

    expected = {f"fine-{i}" for i in range(20)}
    await wait_until(lambda: _has(effects(mongo, sandbox), expected), timeout=30)
    await wait_until(
        lambda: _depth_at_least(sandbox.amqp_url, DEAD_LETTERS, 4), timeout=30, every=0.3
    )
    dead = await drain(sandbox.amqp_url, DEAD_LETTERS)
    ids = sorted(m.message_id for m in dead)
    always_fails = await producer_db(mongo, sandbox).probes.find_one({"_id": "always-fails"})
    assert always_fails is not None
    assert "garbage-1" in ids and unknown["id"] in ids and wrong_data["id"] in ids
    assert len(dead) == 4
    attempts = await consumer_db(mongo, sandbox).attempts.find_one({"_id": "always-fails"})
    assert attempts["n"] == 4, "first delivery plus three redeliveries (x-delivery-limit=3)"
    assert "always-fails" not in await effects(mongo, sandbox)
    assert set(await effects(mongo, sandbox)) == expected


@pytest.mark.slow
async def test_broker_stopped_and_started_during_1000_events_loses_and_doubles_none(
    probe, sandbox, mongo, broker_control: BrokerControl, own_broker: OwnRabbitMQ
):
    probe("consumer", rabbitmq_management_url=own_broker.management_url)
    producer = probe("producer")
    keys = [f"k{i:04d}" for i in range(1000)]
    post_probes(producer, keys[:300])
    broker_control.stop()
    post_probes(producer, keys[300:700])  # written while the broker is away
    broker_control.start()
    post_probes(producer, keys[700:])

    try:
        await wait_until(lambda: _count(effects(mongo, sandbox), 1000), timeout=120, every=0.5)
    except TimeoutError:
        pytest.fail(await _diagnose(mongo, sandbox, keys))
    applied = await effects(mongo, sandbox)
    assert set(applied) == set(keys)
    doubled = {k: n for k, n in applied.items() if n != 1}
    assert not doubled, f"second effects: {await _explain(mongo, sandbox, doubled)}"


@pytest.mark.slow
async def test_a_consumer_killed_mid_stream_resumes_without_doubles(probe, sandbox, mongo):
    # A slow handler (20 ms, prefetch 20) makes the stream last seconds, so the SIGKILL
    # lands in its middle; the count at the kill proves it did.
    consumer = probe("consumer", handle_seconds=0.02)
    producer = probe("producer")
    keys = [f"c{i:03d}" for i in range(400)]
    post_probes(producer, keys)
    await wait_until(lambda: _count_at_least(effects(mongo, sandbox), 20), every=0.02)
    assert consumer.kill() == -9
    applied_before_kill = len(await effects(mongo, sandbox))
    assert 20 <= applied_before_kill < len(keys), "the consumer was killed mid-stream"
    probe("consumer")

    await wait_until(lambda: _count(effects(mongo, sandbox), 400), timeout=120, every=0.5)
    applied = await effects(mongo, sandbox)
    assert set(applied) == set(keys)
    doubled = {k: n for k, n in applied.items() if n != 1}
    assert not doubled, f"second effects: {await _explain(mongo, sandbox, doubled)}"


async def test_two_relays_on_one_database_each_event_applied_once(probe, sandbox, mongo):
    # Two producer processes share one database, so both relays sweep the same outbox
    # every 50 ms and race for the same entries: an event may be published twice, but
    # the consumer applies each one once.
    probe("consumer")
    first = probe("producer", outbox_sweep_seconds=0.05)
    second = probe("producer", outbox_sweep_seconds=0.05)
    keys = [f"r{i:03d}" for i in range(600)]
    for n, start in enumerate(range(0, len(keys), 50)):
        post_probes(first if n % 2 == 0 else second, keys[start : start + 50])

    await wait_until(lambda: _count(effects(mongo, sandbox), 600), timeout=120, every=0.5)
    applied = await effects(mongo, sandbox)
    assert set(applied) == set(keys)
    doubled = {k: n for k, n in applied.items() if n != 1}
    assert not doubled, f"second effects: {await _explain(mongo, sandbox, doubled)}"
    pending = await producer_db(mongo, sandbox).probes.count_documents(
        {"_outbox.0": {"$exists": 1}}
    )
    assert pending == 0, "every entry was taken out of the outbox"


@pytest.mark.slow
async def test_readiness_names_the_broker_when_it_is_down(probe, broker_control: BrokerControl):
    producer = probe("producer")
    assert httpx.get(f"{producer.url}/health/ready").json()["rabbitmq"] == "ok"
    broker_control.stop()
    try:
        response = httpx.get(f"{producer.url}/health/ready", timeout=10)
        assert response.status_code == 503
        assert response.json()["rabbitmq"].startswith("unavailable")
        assert response.json()["mongodb"] == "ok"
        assert httpx.get(f"{producer.url}/health/live").status_code == 200
    finally:
        broker_control.start()
    await wait_until(
        lambda: httpx.get(f"{producer.url}/health/ready").status_code == 200, timeout=60
    )


async def _explain(mongo, sandbox: Sandbox, doubled: dict[str, int]) -> list[Any]:
    db = consumer_db(mongo, sandbox)
    found = []
    async for effect in db.effects.find({"_id": {"$in": list(doubled)}}):
        records = [
            r async for r in db.processed_events.find({"event_id": {"$in": effect["events"]}})
        ]
        found.append((effect, records))
    return found


async def _diagnose(mongo, sandbox: Sandbox, keys: list[str]) -> str:
    applied = await effects(mongo, sandbox)
    missing = sorted(set(keys) - set(applied))
    pending = await producer_db(mongo, sandbox).probes.count_documents(
        {"_id": {"$in": missing}, "_outbox.0": {"$exists": 1}}
    )
    records = consumer_db(mongo, sandbox).processed_events
    states = [r["state"] async for r in records.find({}, {"state": 1}) if r["state"] != "done"]
    return (
        f"{len(missing)} not applied (e.g. {missing[:5]}); still in the outbox: {pending}; "
        f"queue: {await queue_depth(sandbox.amqp_url, QUEUE)}, "
        f"dead letters: {await queue_depth(sandbox.amqp_url, DEAD_LETTERS)}; "
        f"claims not done: {len(states)}"
    )


async def _has(pending, keys: set[str]) -> bool:
    return keys <= set(await pending)


async def _count(pending, n: int) -> bool:
    return len(await pending) == n


async def _count_at_least(pending, n: int) -> bool:
    return len(await pending) >= n


async def _depth_at_least(url: str, queue: str, n: int) -> bool:
    return await queue_depth(url, queue) >= n


async def _depth_is(url: str, queue: str, n: int) -> bool:
    return await queue_depth(url, queue) == n
