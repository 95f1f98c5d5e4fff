"""Who produces each event type and which of the platform's own queues consume it, read
from the code (for the catalogue and the platform's AsyncAPI document).

A type's producer is the service its name starts with (``events.meetup.scheduled``: the
events service; ``nkohub_contracts.base`` enforces the pattern). The consumers are each
service's ``consumers.CONSUMERS`` plus the dead-letter erasure queue every runtime adds
(``nkohub_shared.bus.erasure``). This is documentation tooling run from a checkout with every
service installed: it imports the services' consumer modules by name, at call time (shared
code that services run never does; the walls of ``tests/plumbing/test_boundaries.py`` hold
for static imports). ``tests/contracts/test_catalogue.py`` checks the result against each
service's real runtime, so the map cannot drift from the subscriptions.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nkohub_shared.bus.erasure import dead_letter_erasure

__all__ = ["PLATFORM_SERVICES", "Subscription", "consumers_of", "subscriptions"]

# The platform's services (services/<name>/src/nkohub_<name>/), in the order docs list them.
PLATFORM_SERVICES = ("registry", "events", "notifications", "publishing", "console")


@dataclass(frozen=True)
class Subscription:
    """One consumer queue of a service and the event types bound to it."""

    service: str
    queue: str
    description: str
    event_types: tuple[str, ...]


async def _unused(_: list[str]) -> int:  # the erasure consumer is only read here
    return 0


def _consumers(service: str) -> Iterable[Any]:
    module = importlib.import_module(f"nkohub_{service}.consumers")
    return (*module.CONSUMERS, dead_letter_erasure(service, _unused))


def subscriptions(services: Iterable[str] = PLATFORM_SERVICES) -> list[Subscription]:
    """Every consumer queue of the given services, in service then queue order."""
    found = []
    for service in services:
        for consumer in sorted(_consumers(service), key=lambda c: c.queue_name):
            found.append(
                Subscription(
                    service=service,
                    queue=consumer.queue_name,
                    description=consumer.description,
                    event_types=tuple(consumer.event_types),
                )
            )
    return found


def consumers_of(event_type: str, subs: Iterable[Subscription]) -> list[Subscription]:
    """The queues bound to a type."""
    return [s for s in subs if event_type in s.event_types]
