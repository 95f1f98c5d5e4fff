"""Publishing envelopes to the ``nkohub`` exchange with publisher confirms."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from faststream.rabbit import RabbitBroker

from nkohub_shared.bus.topology import EXCHANGE
from nkohub_shared.contracts import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from nkohub_shared.tracing import message_headers


class PublishNotConfirmed(RuntimeError):
    """The publish was not confirmed (a channel without publisher confirms); the event
    stays in the outbox. A broker's Nack arrives as aio-pika's ``DeliveryError``."""


class EventPublisher:
    """Publishes one envelope; returns only once RabbitMQ has confirmed it."""

    def __init__(self, broker: RabbitBroker, *, timeout: float = 10.0) -> None:
        self._broker = broker
        self._timeout = timeout

    async def publish(self, envelope: CloudEvent | dict[str, Any]) -> None:
        entry = (
            envelope.model_dump(mode="json", exclude_none=True)
            if isinstance(envelope, CloudEvent)
            else envelope
        )
        confirmation = await self._broker.publish(
            json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode(),
            exchange=EXCHANGE,
            routing_key=entry["type"],
            message_id=entry["id"],
            headers=message_headers(entry),  # W3C traceparent (tracing.py)
            content_type=CLOUDEVENTS_CONTENT_TYPE,
            timestamp=datetime.fromisoformat(entry["time"]),
            persist=True,
            mandatory=False,
            timeout=self._timeout,
        )
        if confirmation is None:
            raise PublishNotConfirmed(f"event {entry['id']} was sent without a confirmation")
