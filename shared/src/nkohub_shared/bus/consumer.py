"""Consumers: one durable quorum queue per (service, purpose), handlers keyed by type.

Outcomes of a delivery:
- success: the processed-events record is marked done, the message acked;
- the same event again (redelivered or republished): acked without running the handler;
- handler error: the claim is released, the message nacked back after a backoff; past
  ``x-delivery-limit`` RabbitMQ dead-letters it into ``<queue>.dead-letter``;
- a message that can never succeed (not an envelope, unknown type, data not matching
  its schema): rejected at once, so it goes straight to the dead-letter queue.

Up to ``prefetch_count`` messages of one queue are handled at once, and events of different
documents carry no order: handlers must not assume one (see docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from nkohub_shared.bus.inbox import Claim, Inbox
from nkohub_shared.bus.topology import (
    DEAD_LETTER_EXCHANGE,
    EXCHANGE,
    consumer_queue,
    dead_letter_queue,
)
from nkohub_shared.contracts import (
    CloudEvent,
    IntegrationEvent,
    MalformedEvent,
    UnknownEventType,
    decode_event,
)

log = logging.getLogger("nkohub.consumer")

Ctx = TypeVar("Ctx")
E = TypeVar("E", bound=IntegrationEvent)
Handler = Callable[[Any, Any, CloudEvent], Awaitable[None]]

MAX_BACKOFF_SECONDS = 10.0


async def _raw_body(message: Any) -> bytes:
    return bytes(message.body)


class EventConsumer(Generic[Ctx]):
    """Handlers of one consumer queue, e.g. ``notifications.registration-mail``."""

    def __init__(self, service: str, purpose: str, description: str = "") -> None:
        self.queue_name = f"{service}.{purpose}"
        self.description = description
        self.handlers: dict[str, Handler] = {}

    def on(
        self, event_cls: type[E]
    ) -> Callable[[Callable[[Ctx, E, CloudEvent], Awaitable[None]]], Callable[..., Any]]:
        """Register the handler of one event type (named after the event, by convention)."""

        def register(handler: Callable[[Ctx, E, CloudEvent], Awaitable[None]]) -> Any:
            if event_cls.type in self.handlers:
                raise ValueError(f"{self.queue_name} already handles {event_cls.type}")
            self.handlers[event_cls.type] = handler
            return handler

        return register

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    def subscribe(
        self,
        broker: RabbitBroker,
        *,
        inbox: Inbox,
        context: Ctx,
        delivery_limit: int,
        backoff_seconds: float,
    ) -> None:
        """Add the FastStream subscriber; call ``declare`` once connected."""
        queue = consumer_queue(self.queue_name, delivery_limit=delivery_limit)
        handles = f"Handles {', '.join(self.event_types)} (bound to `nkohub` by type)."
        description = f"{self.description} {handles}" if self.description else handles

        @broker.subscriber(
            queue,
            ack_policy=AckPolicy.MANUAL,
            decoder=_raw_body,
            title=f"{self.queue_name}:consume",
            description=description,
        )
        async def handle(body: bytes, message: RabbitMessage) -> None:
            await self._process(body, message, inbox, context, backoff_seconds)

    async def declare(self, broker: RabbitBroker, *, delivery_limit: int) -> None:
        """Declare the queue, its dead-letter queue and one binding per event type."""
        exchange = await broker.declare_exchange(EXCHANGE)
        dead_letter_exchange = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
        dlq = await broker.declare_queue(dead_letter_queue(self.queue_name))
        await dlq.bind(dead_letter_exchange, routing_key=self.queue_name)
        queue = await broker.declare_queue(
            consumer_queue(self.queue_name, delivery_limit=delivery_limit)
        )
        for event_type in self.event_types:
            await queue.bind(exchange, routing_key=event_type)

    async def _process(
        self,
        body: bytes,
        message: Any,
        inbox: Inbox,
        context: Ctx,
        backoff_seconds: float,
    ) -> None:
        queue = self.queue_name
        try:
            envelope, event = decode_event(body)
            handler = self.handlers.get(envelope.type)
            if handler is None:
                raise UnknownEventType(f"{queue} has no handler for {envelope.type!r}")
        except (MalformedEvent, UnknownEventType) as exc:
            log.error(
                "poison message dead-lettered: %s",
                exc,
                extra={"event_id": message.message_id, "queue": queue},
            )
            await message.reject(requeue=False)
            return

        extra = {"event_id": envelope.id, "event_type": envelope.type, "queue": queue}
        attempt = _delivery_count(message)
        try:
            claim = await inbox.claim_when_free(queue, envelope.id, envelope.type)
            if claim is Claim.DONE:
                log.info("duplicate event skipped", extra=extra)
                await message.ack()
                return
            if claim is Claim.BUSY:  # another consumer is still on it: let it finish
                await message.nack(requeue=True)
                return
        except Exception as exc:
            log.warning("could not claim event: %r", exc, extra=extra)
            await asyncio.sleep(_backoff(backoff_seconds, attempt))
            await message.nack(requeue=True)
            return
        # The effect and its processed-events record are shielded from cancellation: a
        # dropped connection must not stop them half-way. The broker redelivers; the
        # redelivery waits for this claim and then finds the event done.
        work = asyncio.ensure_future(_apply(handler, context, event, envelope, inbox, queue))
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("handler failed (delivery %d): %r", attempt + 1, exc, extra=extra)
            await asyncio.sleep(_backoff(backoff_seconds, attempt))
            await message.nack(requeue=True)
            return
        await message.ack()
        log.info("event handled", extra=extra)


async def _apply(
    handler: Handler,
    context: Any,
    event: IntegrationEvent,
    envelope: CloudEvent,
    inbox: Inbox,
    queue: str,
) -> None:
    try:
        await handler(context, event, envelope)
    except BaseException:
        await _release_quietly(inbox, queue, envelope.id)
        raise
    await inbox.complete(queue, envelope.id)


def _delivery_count(message: Any) -> int:
    headers = getattr(message, "headers", None) or {}
    try:
        return int(headers.get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0


def _backoff(base: float, attempt: int) -> float:
    return min(base * (2**attempt), MAX_BACKOFF_SECONDS)


async def _release_quietly(inbox: Inbox, queue: str, event_id: str) -> None:
    try:
        await inbox.release(queue, event_id)
    except Exception as exc:  # the lease will expire; the event is retried anyway
        log.warning("could not release claim of %s: %r", event_id, exc)
