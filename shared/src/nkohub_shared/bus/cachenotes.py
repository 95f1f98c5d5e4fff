"""Notes between the replicas of one service: "these collections of database D changed".

Housekeeping inside one service, not an event: no contract, nothing stored, never on the
``nkohub`` exchange. Each service with public caches has a fanout exchange of its own,
``nkohub.cache.<service>``; every replica binds an exclusive, auto-delete, non-durable
queue ``nkohub.cache.<service>.<sender id>`` to it, so a replica that goes away leaves
nothing behind.

- Sending: the runtime's ``WriteClock`` (a command listener on its MongoDB client) tells
  which collections this replica's writes touched, whatever room made them; they are
  gathered for ``coalesce_seconds`` and sent as one note ``{"from", "changed": {database:
  [collections]}}``. With nothing to say a replica still sends an empty note every
  ``tick_seconds``. A note the broker did not take is kept and sent with the next one.
- Receiving: a note from another replica moves the same counters a local write moves
  (``WriteClock.heard``), so that replica's cached answers built from those collections
  are rebuilt on their next request. A note of one's own is the proof that the exchange
  delivers: the clock is trusted (*listening*, the long time to live) for
  ``trust_seconds`` after each; without them it falls back to the short time to live
  (``nkohub_shared.web.caching`` states the staleness bound of each state).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.subscriber import RabbitSubscriber

from nkohub_shared.ids import new_id
from nkohub_shared.storage.writeclock import WriteClock

log = logging.getLogger("nkohub.cachenotes")

PUBLISH_TIMEOUT_SECONDS = 2.0
QUEUE_MAX_LENGTH = 10_000  # a stuck replica's queue drops its oldest notes (it is deaf anyway)


@dataclass(frozen=True)
class CachePolicy:
    """How long public caches trust what they read (``ttl_seconds`` while the notes flow,
    ``fallback_ttl_seconds`` otherwise) and how the notes flow."""

    ttl_seconds: float = 120.0
    fallback_ttl_seconds: float = 5.0
    tick_seconds: float = 1.0
    trust_seconds: float = 4.0
    coalesce_seconds: float = 0.02


def cache_exchange(service: str) -> RabbitExchange:
    return RabbitExchange(f"nkohub.cache.{service}", type=ExchangeType.FANOUT, durable=True)


class CacheNotes:
    """One replica's side of the notes: call ``subscribe`` before the broker starts and
    run ``send`` (a background job) once it has."""

    def __init__(self, service: str, clock: WriteClock, policy: CachePolicy) -> None:
        self.sender = new_id()
        self.clock = clock
        self.policy = policy
        self.exchange = cache_exchange(service)
        self.queue = RabbitQueue(
            f"nkohub.cache.{service}.{self.sender}",
            durable=False,
            exclusive=True,
            auto_delete=True,
            arguments={"x-max-length": QUEUE_MAX_LENGTH},
        )
        self.sent = 0
        self.heard = 0
        self._pending: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self.subscriber: RabbitSubscriber | None = None
        clock.announce_to(self._changed)

    def subscribe(self, broker: RabbitBroker) -> None:
        self.subscriber = broker.subscriber(
            self.queue,
            self.exchange,
            ack_policy=AckPolicy.ACK_FIRST,
            decoder=_body,
            include_in_schema=False,  # housekeeping, not an event of the platform
        )

        @self.subscriber
        async def note(body: Any) -> None:
            self.receive(body)

    def receive(self, body: bytes) -> None:
        try:
            note = json.loads(body)
            sender, changed = note["from"], note.get("changed") or {}
        except (ValueError, TypeError, KeyError):
            log.warning("a cache note that is not one was ignored")
            return
        if sender == self.sender:
            self.clock.heard_itself(self.policy.trust_seconds)
            return
        self.heard += 1
        for database, collections in changed.items():
            self.clock.heard(str(database), [str(c) for c in collections])

    def _changed(self, database: str, collection: str) -> None:
        """From the clock, after each write of this replica (maybe in a driver thread)."""
        with self._lock:
            first = not self._pending
            self._pending.add((database, collection))
        if first and self._wake is not None and self._loop is not None:
            if threading.get_ident() == self._thread:
                self._wake.set()
            else:
                self._loop.call_soon_threadsafe(self._wake.set)

    async def send(self, broker: RabbitBroker) -> None:
        """Send the notes until cancelled."""
        self._loop, self._thread = asyncio.get_running_loop(), threading.get_ident()
        self._wake = wake = asyncio.Event()
        if self._pending:
            wake.set()
        try:
            while True:
                try:
                    await asyncio.wait_for(wake.wait(), self.policy.tick_seconds)
                    await asyncio.sleep(self.policy.coalesce_seconds)  # gather the burst
                except TimeoutError:
                    pass
                wake.clear()
                with self._lock:
                    changed, self._pending = self._pending, set()
                if not await self._publish(broker, changed):
                    with self._lock:
                        self._pending |= changed  # sent with the next note
        finally:
            self._wake = None
            self.clock.deaf()

    async def _publish(self, broker: RabbitBroker, changed: set[tuple[str, str]]) -> bool:
        by_database: defaultdict[str, list[str]] = defaultdict(list)
        for database, collection in sorted(changed):
            by_database[database].append(collection)
        body = json.dumps({"from": self.sender, "changed": by_database}).encode()
        try:
            await asyncio.wait_for(
                broker.publish(
                    body,
                    exchange=self.exchange,
                    content_type="application/json",
                    mandatory=False,
                    persist=False,
                ),
                PUBLISH_TIMEOUT_SECONDS,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("cache note not sent: %r", exc)
            return False
        self.sent += 1
        return True


async def _body(message: Any) -> bytes:
    return bytes(message.body)
