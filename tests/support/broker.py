"""Breaking the broker for real, and watching what is on it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from nkohub_contracts import (
    CLOUDEVENTS_CONTENT_TYPE,
    CloudEvent,
    IntegrationEvent,
    new_event,
)
from tests.support.servers import Servers


async def publish_events(amqp_url: str, *events: IntegrationEvent | CloudEvent) -> list[CloudEvent]:
    """Put integration events on the real bus as their producer would (an envelope is
    published again as it is: a redelivery). Returns the envelopes."""
    envelopes = [e if isinstance(e, CloudEvent) else new_event(e) for e in events]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            "nkohub", aio_pika.ExchangeType.TOPIC, durable=True
        )
        for envelope in envelopes:
            await exchange.publish(
                aio_pika.Message(
                    envelope.model_dump_json(exclude_none=True).encode(),
                    message_id=envelope.id,
                    content_type=CLOUDEVENTS_CONTENT_TYPE,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=envelope.type,
            )
    return envelopes


class BrokerControl:
    """Stops and starts the RabbitMQ application (connections drop, data is kept)."""

    def __init__(self, servers: Servers) -> None:
        if servers.rabbitmqctl is None:
            raise RuntimeError("no rabbitmqctl for this broker (set NKOHUB_TEST_RABBITMQCTL)")
        self._ctl = servers.rabbitmqctl

    def _run(self, *args: str) -> None:
        subprocess.run([*self._ctl, *args], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        self._run("stop_app")

    def start(self) -> None:
        self._run("start_app")
        self._run("await_startup")


async def queue_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0


async def drain(amqp_url: str, queue: str, timeout: float = 2.0) -> list[AbstractIncomingMessage]:
    """Take (and ack) every message currently in a queue."""
    messages: list[AbstractIncomingMessage] = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while True:
            message = await declared.get(fail=False, timeout=timeout)
            if message is None:
                return messages
            await message.ack()
            messages.append(message)


class EventSpy:
    """A subscriber bound to ``nkohub`` with a pattern such as ``events.#``."""

    def __init__(self, amqp_url: str, pattern: str = "#") -> None:
        self._url = amqp_url
        self._pattern = pattern
        self.events: list[dict[str, Any]] = []
        self.messages: list[AbstractIncomingMessage] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self._url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(
            "nkohub", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=self._pattern)
        await queue.consume(self._on_message, no_ack=True)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self.messages.append(message)
        self.events.append(json.loads(message.body))

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == event_type]

    async def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        async def poll() -> None:
            while not predicate(self.events):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), timeout)
        return self.events


@contextlib.asynccontextmanager
async def event_spy(amqp_url: str, pattern: str = "#") -> AsyncIterator[EventSpy]:
    spy = EventSpy(amqp_url, pattern)
    await spy.start()
    try:
        yield spy
    finally:
        await spy.stop()


async def wait_until(
    condition: Callable[[], Any], timeout: float = 15.0, every: float = 0.1
) -> Any:
    """Poll an (async or sync) condition until it is truthy; return its value."""

    async def poll() -> Any:
        while True:
            value = condition()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            await asyncio.sleep(every)

    return await asyncio.wait_for(poll(), timeout)
