"""A handler that meets an outage of our infrastructure holds its message and retries it
without spending the delivery limit; a failure of its own spends it. Fast: the outage is
reported by the probe's handler (``InfrastructureUnavailable``), not staged; the real one
is ``test_outage.py``."""

from __future__ import annotations

from pymongo import MongoClient

from nkohub_shared.bus.topology import dead_letter_queue_name
from tests.support.broker import publish_events, queue_depth, wait_until
from tests.support.isolation import Sandbox
from tests.support.metrics import scrape
from tests.support.probe_service import ProbeRecorded

QUEUE = "probe.counter"
CONSUMED = "nkohub_events_consumed_total"


def _state(sandbox: Sandbox, key: str) -> tuple[int, int]:
    """(attempts, effects applied) of one probe in the consumer's database."""
    client: MongoClient = MongoClient(sandbox.servers.mongodb_url)
    try:
        db = client[sandbox.database("probe_consumer")]
        attempts = db.attempts.find_one({"_id": key}) or {"n": 0}
        effect = db.effects.find_one({"_id": key}) or {"applied": 0}
        return attempts["n"], effect["applied"]
    finally:
        client.close()


async def test_an_outage_is_waited_out_without_spending_the_delivery_limit(probe, sandbox: Sandbox):
    # Delivery limit 1: two nacks would dead-letter it; six outages must not.
    consumer = probe("consumer", delivery_limit=1, outage_retry_max_seconds=0.2)
    await publish_events(sandbox.amqp_url, ProbeRecorded(key="patient", outage_times=6))

    await wait_until(lambda: _state(sandbox, "patient")[1] == 1, timeout=30)
    assert _state(sandbox, "patient") == (7, 1), "six outages, then the one handling"
    metrics = scrape(consumer.url)
    assert metrics.value(CONSUMED, outcome="waiting_for_infrastructure") == 6
    assert metrics.value(CONSUMED, outcome="handled") == 1
    assert metrics.value(CONSUMED, outcome="retried") == 0
    assert metrics.value("nkohub_events_held_for_infrastructure", queue=QUEUE) == 0
    assert await queue_depth(sandbox.amqp_url, dead_letter_queue_name(QUEUE)) == 0


async def test_a_failure_of_its_own_after_an_outage_still_counts(probe, sandbox: Sandbox):
    consumer = probe("consumer", delivery_limit=1, outage_retry_max_seconds=0.2)
    await publish_events(
        sandbox.amqp_url, ProbeRecorded(key="doomed", outage_times=3, fail_times=1000)
    )

    dead_letters = dead_letter_queue_name(QUEUE)
    await wait_until(lambda: _depth_is(sandbox, dead_letters, 1), timeout=30)
    attempts, applied = _state(sandbox, "doomed")
    assert (attempts, applied) == (5, 0), "three outages, then two deliveries that failed"
    metrics = scrape(consumer.url)
    assert metrics.value(CONSUMED, outcome="waiting_for_infrastructure") == 3
    assert metrics.value(CONSUMED, outcome="retried") == 1
    assert metrics.value(CONSUMED, outcome="dead_lettered") == 1


async def _depth_is(sandbox: Sandbox, queue: str, n: int) -> bool:
    return await queue_depth(sandbox.amqp_url, queue) == n
