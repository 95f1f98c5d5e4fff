"""Consumers: one durable quorum queue per (service, purpose), handlers keyed by type.

What happens to each delivery (handled, duplicate, held while MongoDB is away, retried,
dead-lettered) is ``nkohub_shared.bus.delivery``.

Up to ``prefetch_count`` messages of one queue are handled at once, and events of different
documents carry no order: handlers must not assume one (see docs/architecture.md). Each
queue is consumed on an AMQP channel of its own, so that its acks can be grouped
(``nkohub_shared.bus.acks``).

A handler whose every effect is one write that records the event's id itself
(``storage.idempotent.apply_once`` / ``ApplyOnce``, or an insert keyed by the event)
may say so: ``@consumer.on(Event, idempotent=True)``. Its deliveries then skip the
processed-events record (a claim and a completion: two writes per event); a redelivery
runs the handler again and its write changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from aio_pika import IncomingMessage
from aio_pika.abc import AbstractQueue
from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from faststream.rabbit.schemas import Channel

from nkohub_contracts import CloudEvent, IntegrationEvent
from nkohub_shared.bus.delivery import Delivery, DeliveryPolicy, Handler
from nkohub_shared.bus.inbox import Inbox
from nkohub_shared.bus.topology import (
    DEAD_LETTER_EXCHANGE,
    EXCHANGE,
    consumer_queue,
    dead_letter_queue,
)
from nkohub_shared.tracing import consuming

Ctx = TypeVar("Ctx")
E = TypeVar("E", bound=IntegrationEvent)


async def _message_itself(message: Any) -> Any:
    """The decoder hands the handler the message itself: no body parsing by FastStream, and
    no ``Context`` dependency to resolve (a sync one runs in a worker thread, per message)."""
    return message


async def _rabbit_message(message: IncomingMessage) -> RabbitMessage:
    """The parser: FastStream's own ``RabbitMessage`` (its ack, nack and reject), without
    what the default parser adds per message that no handler of ours reads — a routing-key
    pattern match and two generated UUIDs for the absent correlation id."""
    message_id = message.message_id or ""
    return RabbitMessage(
        body=message.body,
        headers=message.headers,
        content_type=message.content_type,
        message_id=message_id,
        correlation_id=message.correlation_id or message_id or "-",
        raw_message=message,
    )


class EventConsumer(Generic[Ctx]):
    """Handlers of one consumer queue, e.g. ``notifications.registration-mail``."""

    def __init__(
        self,
        service: str,
        purpose: str,
        description: str = "",
        *,
        delivery_limit: int | None = None,
    ) -> None:
        self.queue_name = f"{service}.{purpose}"
        self.description = description
        # A queue every replica and version of a service declares alike (whatever its
        # settings say) fixes its own limit: RabbitMQ refuses a second, different one.
        self.delivery_limit = delivery_limit
        self.handlers: dict[str, Handler] = {}
        self.models: dict[str, type[IntegrationEvent]] = {}
        self.idempotent: set[str] = set()  # types whose handlers need no record

    def on(
        self, event_cls: type[E], *, idempotent: bool = False
    ) -> Callable[[Callable[[Ctx, E, CloudEvent], Awaitable[None]]], Callable[..., Any]]:
        """Register the handler of one event type (named after the event, by convention);
        ``idempotent``: its one write records the event itself (see the module
        docstring), so no processed-events record is kept for it."""

        def register(handler: Callable[[Ctx, E, CloudEvent], Awaitable[None]]) -> Any:
            if event_cls.type in self.handlers:
                raise ValueError(f"{self.queue_name} already handles {event_cls.type}")
            self.handlers[event_cls.type] = handler
            self.models[event_cls.type] = event_cls
            if idempotent:
                self.idempotent.add(event_cls.type)
            return handler

        return register

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    def subscribe(
        self, broker: RabbitBroker, *, inbox: Inbox, context: Ctx, policy: DeliveryPolicy
    ) -> None:
        """Add the FastStream subscriber; call ``declare`` once connected."""
        limit = self.delivery_limit or policy.delivery_limit
        queue = consumer_queue(self.queue_name, delivery_limit=limit)
        handles = f"Handles {', '.join(self.event_types)} (bound to `nkohub` by type)."
        description = f"{self.description} {handles}" if self.description else handles
        delivery = Delivery(
            self.queue_name,
            self.handlers,
            models=self.models,
            inbox=inbox,
            context=context,
            policy=policy,
            idempotent=frozenset(self.idempotent),
        )

        @broker.subscriber(
            queue,
            # a channel of its own: its delivery tags are this queue's alone, which is
            # what lets the delivery ack them together (bus.acks)
            channel=Channel(prefetch_count=policy.prefetch_count),
            ack_policy=AckPolicy.MANUAL,
            parser=_rabbit_message,
            decoder=_message_itself,
            title=f"{self.queue_name}:consume",
            description=description,
        )
        async def handle(message: Any) -> None:
            with consuming(self.queue_name, message.headers):  # the producer's trace
                await delivery(bytes(message.body), message)

    async def declare(self, broker: RabbitBroker, *, delivery_limit: int) -> AbstractQueue:
        """Declare the queue, its dead-letter queue and one binding per event type;
        returns the dead-letter queue (declaring it again tells its depth)."""
        exchange = await broker.declare_exchange(EXCHANGE)
        dead_letter_exchange = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
        dlq = await broker.declare_queue(dead_letter_queue(self.queue_name))
        await dlq.bind(dead_letter_exchange, routing_key=self.queue_name)
        queue = await broker.declare_queue(
            consumer_queue(self.queue_name, delivery_limit=self.delivery_limit or delivery_limit)
        )
        for event_type in self.event_types:
            await queue.bind(exchange, routing_key=event_type)
        return dlq
