"""One delivery of one message to a consumer queue: decode, claim, handle, settle.

Outcomes:
- ``handled``: the handler ran, the processed-events record is done, the message acked;
- ``duplicate``: the record was already done (a redelivery or a republish): acked unrun;
- ``waiting_for_infrastructure``: MongoDB is away (``nkohub_shared.availability``): the
  message is held unacknowledged and the step retried after a capped backoff, never
  spending ``x-delivery-limit``; after ``outage_hold_seconds`` it is handed back
  (``nack(requeue)``, one delivery spent) so RabbitMQ's consumer timeout never fires;
- ``retried``: the handler failed on the message itself: the claim is released and the
  message nacked back after a backoff;
- ``dead_lettered``: that failure came on the last delivery the limit allows, or the
  message can never succeed (not an envelope, unknown type, data not matching the
  schema): RabbitMQ moves it to ``<queue>.dead-letter``.

A handler registered as ``idempotent`` (its one write records the event id itself) runs
without the record: a redelivery runs it again, and its write changes nothing.

The handler and the record's completion are shielded from cancellation, so a dropped
broker connection does not stop them half-way; the redelivery then finds the record done.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from nkohub_contracts import (
    CloudEvent,
    IntegrationEvent,
    MalformedEvent,
    UnknownEventType,
    decode_event,
)
from nkohub_shared.availability import is_infrastructure_failure
from nkohub_shared.bus.acks import AckGroup
from nkohub_shared.bus.inbox import Claim, Inbox

log = logging.getLogger("nkohub.consumer")

Handler = Callable[[Any, Any, CloudEvent], Awaitable[None]]

MAX_BACKOFF_SECONDS = 10.0
MIN_OUTAGE_PAUSE_SECONDS = 0.1


class Outcome(enum.StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"
    WAITING = "waiting_for_infrastructure"


class DeliveryObserver(Protocol):
    """What a delivery reports (the service's metrics implement it)."""

    def outcome(self, queue: str, event_type: str, outcome: Outcome) -> None: ...

    def handling_time(self, queue: str, event_type: str, seconds: float) -> None: ...

    def holding(self, queue: str, change: int) -> None: ...


class _Unobserved:
    def outcome(self, queue: str, event_type: str, outcome: Outcome) -> None:
        pass

    def handling_time(self, queue: str, event_type: str, seconds: float) -> None:
        pass

    def holding(self, queue: str, change: int) -> None:
        pass


@dataclass(frozen=True)
class DeliveryPolicy:
    """How failures are retried; one per runtime (``stopping`` ends every wait)."""

    delivery_limit: int
    backoff_seconds: float
    prefetch_count: int = 20  # per consumer queue (each has a channel of its own)
    outage_retry_max_seconds: float = 5.0
    outage_hold_seconds: float = 900.0
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    observer: DeliveryObserver = field(default_factory=_Unobserved)

    def failure_pause(self, delivery_count: int) -> float:
        return min(self.backoff_seconds * (2**delivery_count), MAX_BACKOFF_SECONDS)

    def outage_pause(self, attempt: int) -> float:
        base = max(self.backoff_seconds, MIN_OUTAGE_PAUSE_SECONDS)
        return min(base * (2 ** min(attempt, 20)), self.outage_retry_max_seconds)


class Delivery:
    """Handles the messages of one consumer queue."""

    def __init__(
        self,
        queue: str,
        handlers: Mapping[str, Handler],
        *,
        inbox: Inbox,
        context: Any,
        policy: DeliveryPolicy,
        idempotent: frozenset[str] = frozenset(),
        models: Mapping[str, type[IntegrationEvent]] | None = None,
    ) -> None:
        self.queue = queue
        self._models = models or {}
        self._idempotent = idempotent
        self._handlers = handlers
        self._inbox = inbox
        self._context = context
        self._policy = policy
        self._observer = policy.observer
        self._acks = AckGroup()

    def _decode(self, body: bytes) -> tuple[CloudEvent, IntegrationEvent, Handler]:
        """The envelope, its typed data and the handler of its type. The data is validated
        by the model the handler was registered with; anything that does not validate is
        decoded again by ``decode_event`` for its precise error (``MalformedEvent`` or
        ``UnknownEventType``), so the fast path skips only the unknown-field report that
        ``decode_event`` would compute and discard."""
        try:
            envelope = CloudEvent.model_validate_json(body)
            model = self._models.get(envelope.type)
            event = model.model_validate(envelope.data) if model is not None else None
        except ValidationError:
            envelope, event = decode_event(body)  # raises, naming every bad field
        if event is None:
            envelope, event = decode_event(body)  # a type registered without its model
        handler = self._handlers.get(envelope.type)
        if handler is None:
            raise UnknownEventType(f"{self.queue} has no handler for {envelope.type!r}")
        return envelope, event, handler

    async def __call__(self, body: bytes, message: Any) -> None:
        try:
            envelope, event, handler = self._decode(body)
        except (MalformedEvent, UnknownEventType) as exc:
            log.error(
                "poison message dead-lettered: %s",
                exc,
                extra={"event_id": message.message_id, "queue": self.queue},
            )
            await message.reject(requeue=False)
            self._acks.settled(message)
            self._observer.outcome(self.queue, _routing_key(message), Outcome.DEAD_LETTERED)
            return
        outcome = await self._settle(handler, event, envelope, message)
        if outcome is not None:
            self._observer.outcome(self.queue, envelope.type, outcome)

    async def _settle(
        self, handler: Handler, event: IntegrationEvent, envelope: CloudEvent, message: Any
    ) -> Outcome | None:
        """Claim, handle and complete, waiting out outages; ack or nack the message.
        Returns the outcome, or None when the runtime stopped while MongoDB was away."""
        extra = {"event_id": envelope.id, "event_type": envelope.type, "queue": self.queue}
        recorded = envelope.type not in self._idempotent
        owner = uuid.uuid4().hex if recorded else ""
        hold_until = time.monotonic() + self._policy.outage_hold_seconds
        handled = False
        outages = 0
        try:
            while True:  # bounded: by outage_hold_seconds, or by the runtime stopping
                try:
                    if not handled and recorded:
                        claim = await self._inbox.claim_when_free(
                            self.queue, envelope.id, envelope.type, owner=owner
                        )
                        if claim is Claim.DONE:
                            log.info("duplicate event skipped", extra=extra)
                            await self._acks.ack(message)
                            return Outcome.DUPLICATE
                        if claim is Claim.BUSY:  # another consumer still on it past its lease
                            await self._nack(message)
                            return Outcome.RETRIED
                    if not handled:
                        await _shielded(self._run(handler, event, envelope, recorded=recorded))
                        handled = True
                    if recorded:
                        await _shielded(self._inbox.complete(self.queue, envelope.id))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if not is_infrastructure_failure(exc):
                        return await self._failed(exc, message, envelope.id, extra)
                    outages += 1
                    self._observer.outcome(self.queue, envelope.type, Outcome.WAITING)
                    if outages == 1:
                        self._observer.holding(self.queue, +1)
                        log.warning("MongoDB unavailable, holding the event: %r", exc, extra=extra)
                    if time.monotonic() >= hold_until:
                        log.warning("held the event too long; handing it back", extra=extra)
                        await self._nack(message)
                        return Outcome.RETRIED
                    if await self._stopped_during(self._policy.outage_pause(outages)):
                        log.warning("stopping; the held event goes back unacked", extra=extra)
                        return None
                    continue
                await self._acks.ack(message)
                if outages:
                    log.info("MongoDB back after %d retries", outages, extra=extra)
                log.info("event handled", extra=extra)
                return Outcome.HANDLED
        finally:
            if outages:
                self._observer.holding(self.queue, -1)

    async def _run(
        self, handler: Handler, event: IntegrationEvent, envelope: CloudEvent, *, recorded: bool
    ) -> None:
        """The handler; a failure of its own releases the claim (an outage keeps it: the
        release could not reach MongoDB either, and the retry reclaims it as its owner)."""
        started = time.perf_counter()
        try:
            await handler(self._context, event, envelope)
        except BaseException as exc:
            if recorded and not is_infrastructure_failure(exc):
                await self._release_quietly(envelope.id)
            raise
        self._observer.handling_time(self.queue, envelope.type, time.perf_counter() - started)

    async def _failed(
        self, exc: Exception, message: Any, event_id: str, extra: dict[str, str]
    ) -> Outcome:
        count = _delivery_count(message)
        last = count >= self._policy.delivery_limit
        log.warning(
            "handler failed (delivery %d of %d%s): %r",
            count + 1,
            self._policy.delivery_limit + 1,
            ", dead-lettering" if last else "",
            exc,
            extra=extra,
        )
        await asyncio.sleep(self._policy.failure_pause(count))
        await self._nack(message)  # past the limit RabbitMQ dead-letters it
        return Outcome.DEAD_LETTERED if last else Outcome.RETRIED

    async def _nack(self, message: Any) -> None:
        await message.nack(requeue=True)
        self._acks.settled(message)

    async def _stopped_during(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._policy.stopping.wait(), seconds)
        return self._policy.stopping.is_set()

    async def _release_quietly(self, event_id: str) -> None:
        try:
            await self._inbox.release(self.queue, event_id)
        except Exception as exc:  # the lease will expire; the event is retried anyway
            log.warning("could not release claim of %s: %r", event_id, exc)


async def _shielded(step: Awaitable[None]) -> None:
    """Run ``step`` to its end even if the delivery is cancelled meanwhile."""
    await asyncio.shield(asyncio.ensure_future(step))


def _delivery_count(message: Any) -> int:
    headers = getattr(message, "headers", None) or {}
    try:
        return int(headers.get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0


def _routing_key(message: Any) -> str:
    raw = getattr(message, "raw_message", None)
    return str(getattr(raw, "routing_key", None) or "unknown")
