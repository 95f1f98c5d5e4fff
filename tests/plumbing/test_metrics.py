"""Every service serves Prometheus metrics at ``/metrics`` without code of its own: shown on
the probe service, the counters move as requests and events happen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import aio_pika
import httpx
from pymongo import MongoClient

from nkohub_contracts import new_event
from nkohub_shared.bus.topology import dead_letter_queue_name
from tests.support.broker import publish_events, wait_until
from tests.support.isolation import Sandbox
from tests.support.metrics import scrape
from tests.support.probe_service import ProbeRecorded

QUEUE = "probe.counter"
TYPE = ProbeRecorded.type
REQUESTS = "nkohub_http_requests_total"


async def test_http_requests_are_counted_by_route_template_and_status(probe):
    producer = probe("producer")
    async with httpx.AsyncClient(base_url=producer.url, timeout=30) as client:
        for keys in (["a"], ["b", "c"]):
            assert (await client.post("/probes", json={"keys": keys})).status_code == 200
        assert (await client.get("/probes/a")).status_code == 200
        assert (await client.get("/probes/nothing-here")).status_code == 404
        assert (await client.get("/staff-only")).status_code == 401
        assert (await client.get("/no/such/path")).status_code == 404

    metrics = scrape(producer.url)
    assert metrics.value(REQUESTS, method="POST", route="/probes", status="200") == 2
    assert metrics.value(REQUESTS, method="GET", route="/probes/{key}", status="200") == 1
    assert metrics.value(REQUESTS, method="GET", route="/probes/{key}", status="404") == 1
    assert metrics.value(REQUESTS, method="GET", route="/staff-only", status="401") == 1
    assert metrics.value(REQUESTS, method="GET", route="unmatched", status="404") == 1
    assert not metrics.has(REQUESTS, route="/probes/a"), "templates, not paths"
    duration = "nkohub_http_request_duration_seconds_count"
    assert metrics.value(duration, method="POST", route="/probes") == 2
    assert metrics.value("nkohub_service_info", service="probe") == 1


async def test_the_outbox_backlog_and_the_age_of_its_oldest_event(probe, sandbox: Sandbox):
    producer = probe("producer", outbox_sweep_seconds=3600)  # only a write wakes the relay
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    stuck = new_event(ProbeRecorded(key="stuck")).model_dump(mode="json", exclude_none=True)
    stuck["time"] = an_hour_ago.isoformat()
    client: MongoClient = MongoClient(sandbox.servers.mongodb_url)
    try:  # an event left behind, as by a crash between the write and the publish
        client[sandbox.database("probe_producer")].probes.insert_one(
            {"_id": "stuck", "_outbox": [stuck]}
        )
    finally:
        client.close()

    metrics = scrape(producer.url)
    assert metrics.value("nkohub_outbox_pending_events") == 1
    assert metrics.value("nkohub_outbox_oldest_pending_age_seconds") >= 3600

    httpx.post(f"{producer.url}/probes", json={"keys": ["kick"]}, timeout=30).raise_for_status()
    await wait_until(lambda: scrape(producer.url).value("nkohub_outbox_pending_events") == 0)
    assert scrape(producer.url).value("nkohub_outbox_oldest_pending_age_seconds") == 0


async def test_events_consumed_are_counted_by_outcome(probe, sandbox: Sandbox):
    consumer = probe("consumer", delivery_limit=1)
    twice = new_event(ProbeRecorded(key="twice"))
    await publish_events(sandbox.amqp_url, twice, twice)  # handled, then a duplicate
    await publish_events(
        sandbox.amqp_url,
        ProbeRecorded(key="flaky", fail_times=1),  # retried, then handled
        ProbeRecorded(key="hopeless", fail_times=1000),  # retried, then dead-lettered
    )
    await _publish_garbage(sandbox)  # dead-lettered at once

    consumed = "nkohub_events_consumed_total"

    def settled() -> bool:
        metrics = scrape(consumer.url)
        return (
            metrics.value(consumed, outcome="handled") == 2
            and metrics.value(consumed, outcome="duplicate") == 1
            and metrics.value(consumed, outcome="dead_lettered") == 2
        )

    await wait_until(settled, timeout=30, every=0.3)
    metrics = scrape(consumer.url)
    assert metrics.value(consumed, queue=QUEUE, type=TYPE, outcome="handled") == 2
    assert metrics.value(consumed, queue=QUEUE, type=TYPE, outcome="duplicate") == 1
    assert metrics.value(consumed, queue=QUEUE, type=TYPE, outcome="retried") == 2
    assert metrics.value(consumed, queue=QUEUE, type=TYPE, outcome="dead_lettered") == 2
    assert metrics.value(consumed, outcome="waiting_for_infrastructure") == 0
    assert metrics.value("nkohub_event_handling_seconds_count", queue=QUEUE, type=TYPE) == 2
    assert metrics.value("nkohub_events_held_for_infrastructure", queue=QUEUE) == 0
    dead_letters = dead_letter_queue_name(QUEUE)
    await wait_until(
        lambda: scrape(consumer.url).value("nkohub_dead_letter_messages", queue=dead_letters) == 2
    )


async def _publish_garbage(sandbox: Sandbox) -> None:
    connection = await aio_pika.connect(sandbox.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("nkohub")
        body = json.dumps({"not": "an envelope"}).encode()
        await exchange.publish(aio_pika.Message(body, message_id="garbage"), routing_key=TYPE)
