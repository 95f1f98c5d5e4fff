"""Publish+consume throughput and latency: nkohub's bus against raw aio-pika, same broker.

Both sides publish N persistent messages with publisher confirms (awaiting each confirm,
as the outbox relay does) and consume them from a durable quorum queue with manual acks
and a prefetch of 20. Ours adds
what the plumbing does for real: the CloudEvents envelope, the quorum queue with its
dead-letter settings, decoding and validating the contract, and the idempotency check (a
processed-events record claimed and completed in MongoDB) before a no-op handler.

    uv run python bench/bus_throughput.py [--messages 3000] [--concurrency 8]

Needs RabbitMQ (NKOHUB_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672) and MongoDB
(NKOHUB_TEST_MONGODB_URL, default mongodb://127.0.0.1:27017); it uses a vhost and a database
of its own and removes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import aio_pika
import httpx
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nkohub_shared.bus import EventConsumer, EventPublisher, Inbox
from nkohub_shared.bus.inbox import Claim
from nkohub_shared.contracts import CloudEvent, IntegrationEvent, new_event
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.settings import ServiceSettings

AMQP = os.environ.get("NKOHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/")
MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
MANAGEMENT = os.environ.get("NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")


class BenchPinged(IntegrationEvent):
    """Benchmark payload (not a published contract)."""

    type: ClassVar[str] = "events.bench.pinged"
    seq: int
    sent_at: float
    padding: str


class BenchSettings(ServiceSettings):
    service_name: ClassVar[str] = "bench"


@dataclass
class Result:
    name: str
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def line(self) -> str:
        q = statistics.quantiles(self.latencies_ms, n=100)
        return (
            f"{self.name:<28} {self.rate:9.0f} msg/s   latency p50 {q[49]:7.1f} ms   "
            f"p95 {q[94]:7.1f} ms   p99 {q[98]:7.1f} ms"
        )


PADDING = "x" * 300


async def bench_raw(vhost_url: str, n: int) -> Result:
    done = asyncio.Event()
    latencies: list[float] = []
    connection = await aio_pika.connect_robust(vhost_url)
    async with connection:
        consume_channel = await connection.channel()
        await consume_channel.set_qos(prefetch_count=20)
        exchange = await consume_channel.declare_exchange(
            "raw", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await consume_channel.declare_queue(
            "raw.bench", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key="raw.#")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            body = json.loads(message.body)
            latencies.append((time.perf_counter() - body["sent_at"]) * 1000)
            await message.ack()
            if len(latencies) >= n:
                done.set()

        await queue.consume(on_message)
        publish_channel = await connection.channel(publisher_confirms=True)
        publish_exchange = await publish_channel.get_exchange("raw")
        start = time.perf_counter()
        for seq in range(n):
            body = json.dumps({"seq": seq, "sent_at": time.perf_counter(), "padding": PADDING})
            await publish_exchange.publish(
                aio_pika.Message(
                    body.encode(),
                    message_id=str(uuid.uuid4()),
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key="raw.bench.pinged",
            )
        await asyncio.wait_for(done.wait(), 300)
        return Result("raw aio-pika", time.perf_counter() - start, latencies)


class _NoRecord(Inbox):
    """Skips the processed-events record: shows what the idempotency check costs."""

    def __init__(self) -> None:
        pass

    async def claim_when_free(self, *_: object, **__: object) -> Claim:
        return Claim.ACQUIRED

    async def complete(self, *_: object) -> None:
        return None

    async def release(self, *_: object) -> None:
        return None


async def bench_ours(vhost_url: str, database: str, n: int, *, record: bool = True) -> Result:
    done = asyncio.Event()
    latencies: list[float] = []
    consumer = EventConsumer[None]("bench", "pinged")

    @consumer.on(BenchPinged)
    async def bench_pinged(_: None, event: BenchPinged, envelope: CloudEvent) -> None:
        latencies.append((time.perf_counter() - event.sent_at) * 1000)
        if len(latencies) >= n:
            done.set()

    settings = BenchSettings(
        mongodb_url=MONGO,
        mongodb_database=database,
        amqp_url=vhost_url,
        jwt_secret="b" * 40,
        log_level="WARNING",
    )
    runtime = ServiceRuntime(
        settings,
        context_factory=lambda _: None,
        consumers=[consumer],
        inbox=None if record else _NoRecord(),
    )
    await runtime.start()
    try:
        publisher: EventPublisher = runtime.publisher
        start = time.perf_counter()
        for seq in range(n):
            event = new_event(BenchPinged(seq=seq, sent_at=time.perf_counter(), padding=PADDING))
            await publisher.publish(event)
        await asyncio.wait_for(done.wait(), 300)
        name = "nkohub bus" if record else "nkohub bus, no idempotency"
        return Result(name, time.perf_counter() - start, latencies)
    finally:
        await runtime.stop()


async def _drop(*databases: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO)
    try:
        for name in databases:
            try:
                await client.drop_database(name)
            except Exception as exc:  # mongo-java-server's H2 backend sometimes refuses
                print(f"(could not drop {name}: {exc.__class__.__name__})")
    finally:
        await client.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    # the third variant shows what the MongoDB idempotency record costs on this server
    args = parser.parse_args()
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    with httpx.Client(base_url=MANAGEMENT, auth=auth) as api:
        api.put(f"/api/vhosts/{vhost}").raise_for_status()
        api.put(
            f"/api/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"}
        ).raise_for_status()
    database = f"bench_{vhost.replace('-', '_')}"
    vhost_url = f"{AMQP}/{vhost}"
    import logging

    logging.basicConfig(level=logging.WARNING)
    results: dict[str, list[Result]] = {"raw": [], "ours": [], "bare": []}
    try:
        print(f"{args.messages} messages per run, {args.rounds} rounds, same broker: {AMQP}")
        for _ in range(args.rounds):
            results["raw"].append(await bench_raw(vhost_url, args.messages))
            print(results["raw"][-1].line())
            results["ours"].append(await bench_ours(vhost_url, database, args.messages))
            print(results["ours"][-1].line())
            bare = await bench_ours(vhost_url, database + "_bare", args.messages, record=False)
            results["bare"].append(bare)
            print(bare.line())
            await _drop(database, database + "_bare")
    finally:
        with httpx.Client(base_url=MANAGEMENT, auth=auth) as api:
            api.delete(f"/api/vhosts/{vhost}")
        await _drop(database, database + "_bare")
    raw = max(r.rate for r in results["raw"])
    ours = max(r.rate for r in results["ours"])
    bare = max(r.rate for r in results["bare"])
    print(f"best of rounds: raw {raw:.0f} msg/s, ours {ours:.0f} msg/s, ratio {ours / raw:.2f}x")
    print(f"without the processed-events record: {bare:.0f} msg/s, ratio {bare / raw:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
