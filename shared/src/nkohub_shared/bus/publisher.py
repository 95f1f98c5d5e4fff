"""Publishing envelopes to the ``nkohub`` exchange with publisher confirms.

The message goes straight to the exchange object of the broker's confirming channel
(aio-pika), which FastStream keeps and restores on reconnection; FastStream's own publish
path adds a per-message encoding step and middleware that the relay, publishing thousands
of envelopes in a burst, does not need.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aio_pika import DeliveryMode, Message
from aio_pika.abc import AbstractExchange
from faststream.rabbit import RabbitBroker

from nkohub_contracts import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from nkohub_shared.bus.topology import EXCHANGE
from nkohub_shared.tracing import message_headers

# A confirm that has not come by then fails the publish (the event stays in the outbox).
# Generous: the relay has hundreds of publishes in flight, a loaded broker confirms them
# seconds late, and a publish timed out is published again (work twice, for nothing); a
# dead connection fails its publishes at once anyway.
CONFIRM_TIMEOUT_SECONDS = 60.0


class PublishNotConfirmed(RuntimeError):
    """The publish was not confirmed (a channel without publisher confirms); the event
    stays in the outbox. A broker's Nack arrives as aio-pika's ``DeliveryError``."""


def amqp_message(entry: dict[str, Any]) -> Message:
    """The AMQP message of one envelope: CloudEvents structured JSON, persistent."""
    return Message(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode(),
        message_id=entry["id"],
        headers=message_headers(entry),  # W3C traceparent (tracing.py)
        content_type=CLOUDEVENTS_CONTENT_TYPE,
        timestamp=datetime.fromisoformat(entry["time"]),
        delivery_mode=DeliveryMode.PERSISTENT,
    )


class EventPublisher:
    """Publishes one envelope; returns only once RabbitMQ has confirmed it. Many publishes
    may be in flight at once (the relay awaits a batch's confirms together)."""

    def __init__(self, broker: RabbitBroker, *, timeout: float = CONFIRM_TIMEOUT_SECONDS) -> None:
        self._broker = broker
        self._timeout = timeout
        self._exchange: AbstractExchange | None = None

    async def publish(self, envelope: CloudEvent | dict[str, Any]) -> None:
        entry = (
            envelope.model_dump(mode="json", exclude_none=True)
            if isinstance(envelope, CloudEvent)
            else envelope
        )
        exchange = self._exchange
        if exchange is None or exchange.channel.is_closed:  # first, or the broker restarted
            # FastStream caches it too, but hashes the exchange's schema on every look-up
            exchange = self._exchange = await self._broker.declare_exchange(EXCHANGE)
        confirmation = await exchange.publish(
            amqp_message(entry),
            routing_key=entry["type"],
            mandatory=False,
            timeout=self._timeout,
        )
        if confirmation is None:
            raise PublishNotConfirmed(f"event {entry['id']} was sent without a confirmation")
