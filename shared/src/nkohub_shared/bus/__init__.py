"""RabbitMQ plumbing: topology, publishing with confirms, the outbox relay, consumers."""

from nkohub_shared.bus.consumer import EventConsumer
from nkohub_shared.bus.inbox import Inbox
from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.bus.relay import OutboxRelay
from nkohub_shared.bus.topology import (
    DEAD_LETTER_EXCHANGE_NAME,
    EXCHANGE_NAME,
    dead_letter_queue_name,
)

__all__ = [
    "DEAD_LETTER_EXCHANGE_NAME",
    "EXCHANGE_NAME",
    "EventConsumer",
    "EventPublisher",
    "Inbox",
    "OutboxRelay",
    "dead_letter_queue_name",
]
