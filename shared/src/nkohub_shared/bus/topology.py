"""Exchanges and queues.

- ``nkohub``: the durable topic exchange every event goes through, routing key = type.
- ``nkohub.dead-letter``: a durable direct exchange; each consumer queue dead-letters to
  it with its own name as routing key, into ``<queue>.dead-letter``.
- consumer queues: durable quorum queues ``<consumer-service>.<purpose>`` with an explicit
  ``x-delivery-limit``; a message redelivered past the limit is dead-lettered, not dropped.
- ``nkohub.history``: a stream bound to ``nkohub`` by the type of every contract that
  carries no personal data, so that those events are kept (within the operator's retention:
  ``x-max-length-bytes``, ``x-max-age``) for subscribers to replay (docs/subscribers.md).
  Events with a person's name or e-mail (registrations, consultations) are never kept
  there: erasing a person must reach every copy, and a stream cannot forget one message.

Every service declares the exchanges and the stream at start (``declare_platform``), before
its relay publishes anything; declaring them again is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aio_pika.exceptions import ChannelPreconditionFailed
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas import Channel

from nkohub_contracts import load_all_contracts
from nkohub_contracts.wire import EXCHANGE_NAME, HISTORY_STREAM_NAME

log = logging.getLogger("nkohub.topology")

DEAD_LETTER_EXCHANGE_NAME = "nkohub.dead-letter"

EXCHANGE = RabbitExchange(EXCHANGE_NAME, type=ExchangeType.TOPIC, durable=True)
DEAD_LETTER_EXCHANGE = RabbitExchange(
    DEAD_LETTER_EXCHANGE_NAME, type=ExchangeType.DIRECT, durable=True
)


def dead_letter_queue_name(queue_name: str) -> str:
    return f"{queue_name}.dead-letter"


def consumer_queue(name: str, *, delivery_limit: int) -> RabbitQueue:
    return RabbitQueue(
        name,
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments={
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE_NAME,
            "x-dead-letter-routing-key": name,
        },
    )


def dead_letter_queue(queue_name: str) -> RabbitQueue:
    return RabbitQueue(
        dead_letter_queue_name(queue_name),
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=queue_name,
    )


@dataclass(frozen=True)
class HistoryRetention:
    """How much of the history the stream keeps: RabbitMQ drops its oldest segments once
    the stream is over ``max_bytes`` or they are older than ``max_age`` (e.g. ``2Y``,
    ``400D``, ``12h``). ``max_bytes`` 0: no history stream is declared."""

    max_bytes: int
    max_age: str

    @property
    def segment_bytes(self) -> int:
        """Retention removes whole segments: a tenth of the size (1–500 MB), so that the
        stream keeps within about 10 % of ``max_bytes``."""
        return min(500_000_000, max(1_000_000, self.max_bytes // 10))

    def arguments(self) -> dict[str, object]:
        return {
            "x-max-length-bytes": self.max_bytes,
            "x-max-age": self.max_age,
            "x-stream-max-segment-size-bytes": self.segment_bytes,
        }


def history_stream(retention: HistoryRetention) -> RabbitQueue:
    return RabbitQueue(
        HISTORY_STREAM_NAME,
        queue_type=QueueType.STREAM,
        durable=True,
        arguments=retention.arguments(),  # type: ignore[arg-type]
    )


def history_types() -> tuple[list[str], list[str]]:
    """The event types the history keeps, and those it never does (personal data)."""
    contracts = load_all_contracts()
    kept = [t for t, model in contracts.items() if not model.personal_data]
    return kept, [t for t in contracts if t not in kept]


async def declare_platform(broker: RabbitBroker, history: HistoryRetention) -> None:
    """Declare the exchanges and the history stream, bound to ``nkohub`` by type."""
    exchange = await broker.declare_exchange(EXCHANGE)
    await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
    if history.max_bytes <= 0:
        return
    declarer = broker.config.declarer
    try:  # a channel of its own: a refused declaration closes the channel it was made on
        stream = await declarer.declare_queue(history_stream(history), channel=Channel())
    except ChannelPreconditionFailed as exc:
        log.warning(
            "%s exists with another retention; it is kept as it is (%s). Its retention is "
            "set when it is first declared: see docs/subscribers.md",
            HISTORY_STREAM_NAME,
            exc,
        )
        existing = RabbitQueue(HISTORY_STREAM_NAME, queue_type=QueueType.STREAM, declare=False)
        stream = await declarer.declare_queue(existing, channel=Channel())
    kept, never = history_types()
    for event_type in kept:
        await stream.bind(exchange, routing_key=event_type)
    for event_type in never:  # a type that came to carry personal data stops being kept
        await stream.unbind(exchange, routing_key=event_type)
