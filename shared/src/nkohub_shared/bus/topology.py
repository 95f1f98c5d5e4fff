"""Exchanges and queues.

- ``nkohub``: the durable topic exchange every event goes through, routing key = type.
- ``nkohub.dead-letter``: a durable direct exchange; each consumer queue dead-letters to
  it with its own name as routing key, into ``<queue>.dead-letter``.
- consumer queues: durable quorum queues ``<consumer-service>.<purpose>`` with an explicit
  ``x-delivery-limit``; a message redelivered past the limit is dead-lettered, not dropped.
"""

from __future__ import annotations

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

EXCHANGE_NAME = "nkohub"
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
