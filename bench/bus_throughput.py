"""Bus throughput: nkohub's outbox relay publishing to a consumer, against raw aio-pika
with publishes pipelined, on the same broker in the same run (bench/run.py's ``bus`` case).

- ``raw aio-pika (pipelined)``: one connection; a publisher-confirms channel with up to
  ``--in-flight`` persistent publishes outstanding and their confirms awaited together
  (``asyncio.gather``); a consumer on a durable quorum queue (the same arguments as the
  platform's consumer queues) with manual acks, one ack per message, and the services'
  default prefetch (20), decoding the JSON body.
  The messages are the platform's CloudEvents envelopes, byte for byte the same size.
- ``nkohub bus (outbox relay → consumer, idempotent handler)``: N documents, each
  carrying one event in its ``_outbox``, are written through ``EventWriter.insert_many``
  while the relay is stopped; then the relay starts (its pipelined sweep: 500 documents in
  flight) and the clock runs until the consumer
  (``EventConsumer`` in a ``ServiceRuntime``: envelope decoding and validation, manual
  acks, grouped into ``multiple`` acks per turn of the event loop)
  has handled all N with a handler registered ``idempotent=True`` whose effect is one
  ``ApplyOnce`` upsert recording the event id in the changed document (as the read models
  of organizations do). This is what a service does with a burst of writes: the relay
  publishes each event with its confirm, then pulls it out of the document.
- ``nkohub bus (…, processed-events record)``: the same with a no-op handler and the
  processed-events record claimed and completed in MongoDB (every other handler's way).
- with ``--detail``, also the relay with no record and a no-op handler (the bus alone).

Figures are messages per second, publish start to last message handled, the mean of
``--rounds`` alternating rounds; raw runs at the start and at the end of every round (its
figure is the mean of all its runs). Each figure also gives this process's CPU time per
message (user + system; the relay and consumer, or raw's publisher and consumer, all run in
this one process): what the code costs, far less moved by a shared machine's other loads.

    uv run python bench/bus_throughput.py [--messages 5000] [--in-flight 500] [--rounds 2]
        [--json PATH] [--detail]

Needs RabbitMQ (NKOHUB_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672, management
on NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL) and MongoDB (NKOHUB_TEST_MONGODB_URL, default
mongodb://127.0.0.1:27017); it uses a vhost and a database of its own and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import aio_pika
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_broker import AMQP, create_vhost, delete_vhost
from bench_keys import settings_keys

from nkohub_contracts import CloudEvent, IntegrationEvent, new_event
from nkohub_shared.bus import EventConsumer, Inbox
from nkohub_shared.bus.inbox import Claim
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.settings import ServiceSettings
from nkohub_shared.storage.idempotent import ApplyOnce

MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
# raw's prefetch: the services' default prefetch_count (each consumer queue's channel)
PREFETCH = int(ServiceSettings.model_fields["prefetch_count"].default)
DELIVERY_LIMIT = 5  # the services' default x-delivery-limit
TIMEOUT = 600.0  # bounded: a round that has not finished by then fails


class BenchPinged(IntegrationEvent):
    """Benchmark payload (not a published contract)."""

    type: ClassVar[str] = "events.bench.pinged"
    seq: int
    padding: str


class BenchSettings(ServiceSettings):
    service_name: ClassVar[str] = "bench"


PADDING = "x" * 300


def envelope(seq: int) -> CloudEvent:
    return new_event(BenchPinged(seq=seq, padding=PADDING))


@dataclass
class Result:
    name: str
    messages: int
    seconds: float
    cpu_seconds: float = 0.0  # this process's CPU time (user + system) over the same span

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per message: what the code costs, far less moved by the other
        loads of a shared machine than the rate."""
        return 1000 * self.cpu_seconds / self.messages


async def bench_raw(vhost_url: str, n: int, in_flight: int) -> Result:
    done = asyncio.Event()
    handled = 0
    connection = await aio_pika.connect_robust(vhost_url)
    async with connection:
        consume_channel = await connection.channel()
        await consume_channel.set_qos(prefetch_count=PREFETCH)
        exchange = await consume_channel.declare_exchange(
            "raw", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await consume_channel.declare_queue(
            f"raw.bench.{uuid.uuid4().hex[:6]}",
            durable=True,
            arguments={"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT},
        )
        await queue.bind(exchange, routing_key="events.bench.pinged")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal handled
            json.loads(message.body)
            await message.ack()
            handled += 1
            if handled >= n:
                done.set()

        tag = await queue.consume(on_message)
        publish_channel = await connection.channel(publisher_confirms=True)
        publish_exchange = await publish_channel.get_exchange("raw")
        bodies = [
            (e.id, json.dumps(e.model_dump(mode="json", exclude_none=True)).encode())
            for e in (envelope(seq) for seq in range(n))
        ]
        start, cpu = time.perf_counter(), time.process_time()
        for first in range(0, n, in_flight):
            await asyncio.gather(
                *(
                    publish_exchange.publish(
                        aio_pika.Message(
                            body,
                            message_id=event_id,
                            content_type="application/cloudevents+json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key="events.bench.pinged",
                    )
                    for event_id, body in bodies[first : first + in_flight]
                )
            )
        await asyncio.wait_for(done.wait(), TIMEOUT)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
        return Result("raw aio-pika (pipelined)", n, seconds, cpu)


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


MODES = {
    "own": "nkohub bus (outbox relay → consumer, idempotent handler: one write)",
    "record": "nkohub bus (outbox relay → consumer, processed-events record)",
    "none": "nkohub bus (outbox relay → consumer), no record, no-op handler",
}
EFFECT_DOCUMENTS = 1000  # the idempotent handler's upserts spread over as many documents


async def bench_relay(vhost_url: str, database: str, n: int, *, mode: str = "own") -> Result:
    done = asyncio.Event()
    handled = 0
    consumer = EventConsumer[None]("bench", f"pinged-{uuid.uuid4().hex[:6]}")
    effects: list[ApplyOnce] = []

    @consumer.on(BenchPinged, idempotent=mode == "own")
    async def bench_pinged(_: None, event: BenchPinged, envelope: CloudEvent) -> None:
        nonlocal handled
        if effects:
            await effects[0](
                {"_id": f"doc-{event.seq % EFFECT_DOCUMENTS}"},
                {"$set": {"seq": event.seq}},
                envelope.id,
                upsert=True,
            )
        handled += 1
        if handled >= n:
            done.set()

    settings = BenchSettings(
        mongodb_url=MONGO,
        mongodb_database=database,
        amqp_url=vhost_url,
        **settings_keys(),
        log_level="WARNING",
    )
    runtime = ServiceRuntime(
        settings,
        context_factory=lambda _: None,
        consumers=[consumer],
        outbox_collections=["pings"],
        inbox=None if mode == "record" else _NoRecord(),
    )
    await runtime.start()
    if mode == "own":
        effects.append(ApplyOnce(runtime.db["effects"]))
    try:
        await runtime.relay.stop()  # the writes below pile up in the outbox
        writer = runtime.outbox.writer(runtime.db["pings"])
        for first in range(0, n, 1000):
            await writer.insert_many(
                [
                    ({"_id": uuid.uuid4().hex, "seq": seq}, [envelope(seq)])
                    for seq in range(first, min(n, first + 1000))
                ]
            )
        start, cpu = time.perf_counter(), time.process_time()
        runtime.relay.start()  # sweeps at once
        await asyncio.wait_for(done.wait(), TIMEOUT)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return Result(MODES[mode], n, seconds, cpu)
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


async def run(messages: int, in_flight: int, rounds: int, detail: bool) -> dict[str, Any]:
    vhost = f"bench-bus-{uuid.uuid4().hex[:8]}"
    database = f"bench_{vhost.replace('-', '_')}"
    create_vhost(vhost)
    vhost_url = f"{AMQP}/{quote(vhost, safe='')}"
    results: dict[str, list[Result]] = {
        "raw": [],
        "relay": [],
        "relay_record": [],
        "relay_no_record": [],
    }
    try:
        for _ in range(rounds):
            results["raw"].append(await bench_raw(vhost_url, messages, in_flight))
            results["relay"].append(await bench_relay(vhost_url, database, messages))
            results["relay_record"].append(
                await bench_relay(vhost_url, database + "_r", messages, mode="record")
            )
            if detail:
                results["relay_no_record"].append(
                    await bench_relay(vhost_url, database + "_nr", messages, mode="none")
                )
            # raw again: the load of a shared machine moves within a round, and the ratio
            # is against the mean of raw right before and right after
            results["raw"].append(await bench_raw(vhost_url, messages, in_flight))
            await _drop(database, database + "_r", database + "_nr")
            for key, rs in results.items():
                if rs:
                    latest = rs[-2:] if key == "raw" else rs[-1:]
                    rates = " / ".join(f"{r.rate:.0f}" for r in latest)
                    cpu = " / ".join(f"{r.cpu_ms:.2f}" for r in latest)
                    print(f"{rs[-1].name:<52} {rates:>12} msg/s, {cpu} ms CPU/msg", flush=True)
    finally:
        delete_vhost(vhost)
        await _drop(database, database + "_r", database + "_nr")
    return {
        "messages": messages,
        "in_flight": in_flight,
        "rounds": rounds,
        **{
            key: {
                "name": rs[0].name,
                "rate": statistics.mean(r.rate for r in rs),
                "rates": [r.rate for r in rs],
                "cpu_ms_per_message": statistics.mean(r.cpu_ms for r in rs),
            }
            for key, rs in results.items()
            if rs
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=500, help="raw: publishes in flight")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each")
    parser.add_argument("--json", type=Path, help="write the figures there as JSON")
    parser.add_argument("--detail", action="store_true", help="also the relay without record")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up on SIGTERM too
    print(
        f"{args.messages} messages per run, {args.rounds} rounds, raw with {args.in_flight} "
        f"in flight; broker {AMQP}"
    )
    figures = asyncio.run(run(args.messages, args.in_flight, args.rounds, args.detail))
    raw, relay = figures["raw"]["rate"], figures["relay"]["rate"]
    print(f"mean of rounds: raw {raw:.0f} msg/s, relay {relay:.0f} msg/s, ratio {relay / raw:.2f}")
    raw_cpu = figures["raw"]["cpu_ms_per_message"]
    relay_cpu = figures["relay"]["cpu_ms_per_message"]
    print(
        f"CPU per message: raw {raw_cpu:.2f} ms, relay {relay_cpu:.2f} ms, "
        f"ratio {raw_cpu / relay_cpu:.2f} (raw ÷ relay: 1 would be as cheap as raw)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
