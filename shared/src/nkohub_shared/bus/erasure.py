"""Erasure reaches the dead letters: every service, on ``registry.person.erased``, drops the
dead letters of its own queues that name the person (by address or person key).

Each runtime adds this consumer (``<service>.dead-letter-erasure``) to its own. A message
about the person that dies after the erasure was handled is not swept by it; the expiry
policy (``NKOHUB_DEAD_LETTER_EXPIRY_DAYS``) bounds how long such a letter stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nkohub_contracts import CloudEvent
from nkohub_contracts.registry import PersonErased
from nkohub_shared.bus.consumer import EventConsumer

PURPOSE = "dead-letter-erasure"
DELIVERY_LIMIT = 5


def dead_letter_erasure(
    service: str, forget: Callable[[list[str]], Awaitable[int]]
) -> EventConsumer[Any]:
    consumer: EventConsumer[Any] = EventConsumer(
        service,
        PURPOSE,
        "Drops this service's dead letters that name an erased person.",
        delivery_limit=DELIVERY_LIMIT,
    )

    @consumer.on(PersonErased)
    async def person_erased(_: Any, event: PersonErased, envelope: CloudEvent) -> None:
        await forget(event.person_keys)

    return consumer
