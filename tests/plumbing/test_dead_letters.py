"""Dead letters are visible and can be acted on: ``nkohub dead-letters`` against the real
broker (a vhost of the test's own), the expiry policy, the readiness signal."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx
import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from nkohub_contracts import new_event
from nkohub_shared.bus.deadletters import EXPIRY_POLICY
from nkohub_shared.bus.topology import dead_letter_queue_name
from nkohub_shared.cli import app
from tests.support.isolation import Sandbox
from tests.support.probe_service import ProbeRecorded

QUEUE = "probe.counter"
DEAD_LETTERS = dead_letter_queue_name(QUEUE)
TYPE = ProbeRecorded.type


def nkohub(sandbox: Sandbox, *args: str, answer: str | None = None, exit_code: int = 0) -> str:
    result = CliRunner().invoke(
        app,
        ["dead-letters", *args],
        env={"NKOHUB_AMQP_URL": sandbox.amqp_url},
        input=answer,
    )
    assert result.exit_code == exit_code, result.output
    return result.output


def publish(
    sandbox: Sandbox,
    body: bytes,
    message_id: str,
    routing_key: str = TYPE,
    exchange: str = "nkohub",
    headers: dict[str, Any] | None = None,
) -> None:
    """Publish and wait for the broker's confirmation (the message is in its queues)."""

    async def send() -> None:
        connection = await aio_pika.connect(sandbox.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
            message = aio_pika.Message(
                body, message_id=message_id, delivery_mode=2, headers=headers or {}
            )
            await target.publish(message, routing_key=routing_key)

    asyncio.run(send())


def publish_probe(sandbox: Sandbox, key: str, fail_times: int = 0) -> str:
    envelope = new_event(ProbeRecorded(key=key, fail_times=fail_times))
    publish(sandbox, envelope.model_dump_json().encode(), envelope.id)
    return envelope.id


def management(sandbox: Sandbox, path: str) -> Any:
    servers = sandbox.servers
    url = f"{servers.management_url}{path.format(vhost=quote(sandbox.vhost, safe=''))}"
    response = httpx.get(url, auth=servers.amqp_credentials, timeout=10)
    return response.json() if response.status_code == 200 else None


def depth(sandbox: Sandbox) -> int:
    output = nkohub(sandbox, "list", "--queue", QUEUE)
    name, count = output.strip().split("\t")
    assert name == DEAD_LETTERS
    return int(count)


def wait_for(condition, timeout: float = 30.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError("condition not met in time")


def applied(sandbox: Sandbox) -> dict[str, int]:
    client: MongoClient = MongoClient(sandbox.servers.mongodb_url)
    try:
        db = client[sandbox.database("probe_consumer")]
        return {d["_id"]: d["applied"] for d in db.effects.find({}, {"applied": 1})}
    finally:
        client.close()


@pytest.fixture
def dead_letters(probe, sandbox: Sandbox) -> dict[str, Any]:
    """A consumer (delivery limit 1) and five dead letters: two poison messages
    (rejected), two events that always fail and one that fails twice, then would pass."""
    consumer = probe("consumer", delivery_limit=1)
    ids = {
        "garbage": "garbage-1",
        "always-1": publish_probe(sandbox, "always-1", fail_times=1000),
        "always-2": publish_probe(sandbox, "always-2", fail_times=1000),
        "flaky": publish_probe(sandbox, "flaky", fail_times=2),
    }
    publish(sandbox, b"not json at all", ids["garbage"])
    unknown = new_event(ProbeRecorded(key="x")).model_dump(mode="json")
    unknown["type"] = "events.probe.unheard_of"
    publish(sandbox, json.dumps(unknown).encode(), unknown["id"])
    ids["unknown"] = unknown["id"]
    wait_for(lambda: depth(sandbox) == 5)
    return {"consumer": consumer, "ids": ids}


def test_dead_letters_are_listed_shown_replayed_and_purged(dead_letters, sandbox: Sandbox):
    ids = dead_letters["ids"]
    listed = nkohub(sandbox, "list", "--by-type")
    assert f"{DEAD_LETTERS}\t5" in listed.splitlines()
    assert f"  {TYPE}\t5" in listed.splitlines(), "poison was routed by the probe's type too"

    shown = [json.loads(line) for line in nkohub(sandbox, "show", QUEUE, "--json").splitlines()]
    assert sorted(row["message_id"] for row in shown) == sorted(ids.values())
    reasons = {row["message_id"]: row["reason"] for row in shown}
    assert reasons[ids["garbage"]] == reasons[ids["unknown"]] == "rejected"
    assert reasons[ids["flaky"]] == reasons[ids["always-1"]] == "delivery_limit"
    assert all(row["queue"] == QUEUE and row["type"] == TYPE for row in shown)
    assert depth(sandbox) == 5, "show leaves them in place"

    ready = httpx.get(f"{dead_letters['consumer'].url}/health/ready", timeout=10)
    assert ready.status_code == 200, "dead letters need a person, not a restart"
    assert ready.json()["dead_letters"] == {
        DEAD_LETTERS: 5,
        "probe.dead-letter-erasure.dead-letter": 0,  # every service has this queue
    }

    # The flaky event failed twice; replayed, its third attempt passes, once.
    assert "replayed 1 " in nkohub(sandbox, "replay", QUEUE, "--id", ids["flaky"])
    wait_for(lambda: applied(sandbox).get("flaky") == 1)
    assert depth(sandbox) == 4
    # Replaying an always-failing one brings it back (delivery limit: 1 → 2 deliveries).
    assert "replayed 1 " in nkohub(sandbox, "replay", DEAD_LETTERS, "--id", ids["always-1"])
    wait_for(lambda: depth(sandbox) == 4 and ids["always-1"] in _ids_in(sandbox))

    kept = nkohub(sandbox, "purge", QUEUE, "--id", ids["garbage"], answer="n\n", exit_code=1)
    assert "Aborted" in kept
    assert depth(sandbox) == 4
    assert "purged 1 " in nkohub(sandbox, "purge", QUEUE, "--id", ids["garbage"], answer="y\n")
    assert ids["garbage"] not in _ids_in(sandbox)
    assert "purged 3 " in nkohub(sandbox, "purge", QUEUE, "--yes")
    assert depth(sandbox) == 0
    assert applied(sandbox) == {"flaky": 1}


def test_a_dead_letter_of_a_type_nobody_consumes_any_more_is_kept(probe, sandbox: Sandbox):
    probe("consumer")  # declares the queues
    headers = {"x-death": [{"queue": QUEUE, "reason": "rejected", "routing-keys": ["gone.x.y"]}]}
    publish(sandbox, b"{}", "orphan-1", routing_key=DEAD_LETTERS, exchange="", headers=headers)
    output = nkohub(sandbox, "replay", QUEUE)
    assert "replayed 0 " in output
    assert "kept orphan-1: no queue is bound for gone.x.y any more" in output
    assert _ids_in(sandbox) == {"orphan-1"}


def test_the_expiry_policy_expires_dead_letters_that_nobody_replays(dead_letters, sandbox: Sandbox):
    policy = management(sandbox, f"/api/policies/{{vhost}}/{EXPIRY_POLICY}")
    assert policy is not None, "the consumer's runtime set it at start-up"
    assert policy["definition"]["message-ttl"] == 14 * 86_400_000

    # A quorum queue stamps the expiry on a message as it arrives, and drops expired
    # messages from its head: the five there keep their 14 days, so clear them first.
    nkohub(sandbox, "purge", QUEUE, "--yes")
    output = nkohub(sandbox, "expire", "--days", str(1 / 86_400))  # one second
    assert "'message-ttl': 1000" in output
    publish(sandbox, b"a late dead letter", "late-1", routing_key=DEAD_LETTERS, exchange="")
    wait_for(lambda: depth(sandbox) == 0, timeout=30)


def _ids_in(sandbox: Sandbox) -> set[str]:
    rows = nkohub(sandbox, "show", QUEUE, "--json", "--limit", "100").splitlines()
    return {json.loads(row)["message_id"] for row in rows}
