"""The sender: a background job that delivers due queued messages.

A feeder looks up due messages in batches; workers claim each one with an atomic
``find_one_and_update`` by id (still queued and due → sending, with a lease and
``attempts + 1``), so two workers or two processes never send the same message. The
outcome is written with its ``notifications.message.sent`` / ``failed`` event in the
same single-document write (outbox). A claim whose worker died returns to the queue
when its lease expires. Sending is rate-limited per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

import httpx
from pymongo import ReturnDocument

from nkohub_notifications.channels import (
    Connection,
    SmtpConnection,
    TelegramConnection,
    WebhookConnection,
)
from nkohub_notifications.domain import (
    Channel,
    Delivery,
    Outcome,
    Status,
    Topic,
    after_attempt,
    follows,
    now,
)
from nkohub_notifications.repository import MESSAGES, SUBSCRIBERS, Db
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.bus.relay import OutboxRelay
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.notifications import MessageFailed, MessageSent
from nkohub_shared.storage.outbox import push_outbox

log = logging.getLogger("nkohub.notifications.sender")

CLAIM_BATCH = 100  # due messages looked up per query


class RateLimiter:
    """Spaces acquisitions ``1/rate`` seconds apart (no bursts); rate 0 = no limit."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    async def acquire(self) -> None:
        if not self._interval:
            return
        current = time.monotonic()
        slot = max(self._next, current)
        self._next = slot + self._interval
        if slot > current:
            await asyncio.sleep(slot - current)


class Sender:
    def __init__(self, db: Db, settings: NotificationsSettings, relay: OutboxRelay) -> None:
        self._messages = db[MESSAGES]
        self._subscribers = db[SUBSCRIBERS]
        self._settings = settings
        self._relay = relay
        self._wake = asyncio.Event()
        self._limits = {
            Channel.EMAIL: RateLimiter(settings.email_rate_per_second),
            Channel.WEBHOOK: RateLimiter(settings.webhook_rate_per_second),
            Channel.TELEGRAM: RateLimiter(settings.telegram_rate_per_second),
        }

    def wake(self) -> None:
        """New messages are queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """The background job: a feeder, ``sender_workers`` workers and a lease sweeper."""
        async with httpx.AsyncClient(timeout=self._settings.webhook_timeout_seconds) as client:
            shared = {
                Channel.WEBHOOK: WebhookConnection(self._settings, client),
                Channel.TELEGRAM: TelegramConnection(self._settings, client),
            }
            candidates: asyncio.Queue[str] = asyncio.Queue(maxsize=CLAIM_BATCH)
            in_flight: set[str] = set()
            tasks = [
                asyncio.create_task(self._worker(shared, candidates, in_flight), name=f"sender-{i}")
                for i in range(self._settings.sender_workers)
            ]
            tasks.append(asyncio.create_task(self._feed(candidates, in_flight), name="feeder"))
            tasks.append(asyncio.create_task(self._sweep_leases(), name="sender-leases"))
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _feed(self, candidates: asyncio.Queue[str], in_flight: set[str]) -> None:
        """Find due messages in batches (one query per batch, not per message) and hand
        their ids to the workers; each worker then claims its message atomically."""
        while True:
            self._wake.clear()
            try:
                found = await self.due(exclude=in_flight, limit=CLAIM_BATCH)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if _stopping():
                    raise
                log.warning("could not look for due messages: %r", exc)
                found = []
            for message_id in found:
                in_flight.add(message_id)
                await candidates.put(message_id)  # waits while the workers are busy
            if not found:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.sender_poll_seconds)

    async def _worker(
        self,
        shared: dict[Channel, Connection],
        candidates: asyncio.Queue[str],
        in_flight: set[str],
    ) -> None:
        connections: dict[Channel, Connection] = {
            **shared,
            Channel.EMAIL: SmtpConnection(self._settings),
        }
        try:
            while True:
                message_id = await candidates.get()
                try:
                    message = await self.claim(message_id)
                    if message is not None:
                        await self.process(message, connections[Channel(message["channel"])])
                except asyncio.CancelledError:
                    raise
                except Exception:  # the lease brings it back
                    if _stopping():
                        raise
                    log.exception("sending message %s failed unexpectedly", message_id)
                finally:
                    in_flight.discard(message_id)
        finally:
            await connections[Channel.EMAIL].close()

    async def due(self, *, exclude: set[str], limit: int) -> list[str]:
        query: dict[str, Any] = {"status": Status.QUEUED.value, "next_attempt_at": {"$lte": now()}}
        if exclude:
            query["_id"] = {"$nin": list(exclude)}
        cursor = self._messages.find(query, {"_id": 1}).sort("next_attempt_at", 1).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def claim(self, message_id: str) -> dict[str, Any] | None:
        """Take the message if it is still queued and due (atomic: one sender wins)."""
        at = now()
        lease = timedelta(seconds=self._settings.send_lease_seconds)
        return await self._messages.find_one_and_update(
            {"_id": message_id, "status": Status.QUEUED.value, "next_attempt_at": {"$lte": at}},
            {
                "$set": {"status": Status.SENDING.value, "lease_until": at + lease},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def process(self, message: dict[str, Any], connection: Connection) -> None:
        if message.get("topic") and not await self._still_wanted(message):
            await self._finish(message, Status.SUPPRESSED, None, "no longer subscribed")
            return
        await self._limits[Channel(message["channel"])].acquire()
        delivery = await connection.deliver(message)
        s = self._settings
        status, next_at = after_attempt(
            delivery,
            message["attempts"],
            max_attempts=s.retry_max_attempts,
            base=s.retry_base_seconds,
            ceiling=s.retry_max_seconds,
        )
        await self._finish(message, status, next_at, delivery.detail, delivery)

    async def _still_wanted(self, message: dict[str, Any]) -> bool:
        subscriber = await self._subscribers.find_one({"person_key": message["recipient_key"]})
        return subscriber is not None and follows(
            subscriber, Topic(message["topic"]), Channel(message["channel"])
        )

    async def _finish(
        self,
        message: dict[str, Any],
        status: Status,
        next_at: Any,
        detail: str,
        delivery: Delivery | None = None,
    ) -> None:
        at = now()
        fields: dict[str, Any] = {"status": status.value, "updated_at": at, "lease_until": None}
        events = []
        common = {
            "message_id": message["_id"],
            "channel": message["channel"],
            "template": message["template"],
            "recipient_key": message["recipient_key"],
            "cause_event_id": message.get("cause_event_id"),
            "attempts": message["attempts"],
        }
        if status is Status.SENT:
            fields.update(sent_at=at, last_error=None)
            events.append(new_event(MessageSent(**common, sent_at=at)))
        elif status is Status.FAILED:
            fields["last_error"] = detail
            events.append(new_event(MessageFailed(**common, reason=detail[:500])))
        elif status is Status.QUEUED:
            fields.update(next_attempt_at=next_at, last_error=detail)
        else:
            fields["last_error"] = detail
        update: dict[str, Any] = {"$set": fields}
        if delivery is not None:
            update["$push"] = {
                "history": {
                    "$each": [{"at": at, "outcome": delivery.outcome.value, "detail": detail}],
                    "$slice": -20,
                }
            }
        await self._messages.update_one(
            {"_id": message["_id"], "status": Status.SENDING.value},
            push_outbox(update, *events),
        )
        if events:
            self._relay.kick()
        if status is Status.QUEUED:
            log.info("message %s deferred: %s", message["_id"], detail)
        elif delivery is not None and delivery.outcome is not Outcome.SENT:
            log.warning("message %s failed: %s", message["_id"], detail)

    async def _sweep_leases(self) -> None:
        while True:
            await asyncio.sleep(max(self._settings.sender_poll_seconds, 1.0))
            try:
                await self._messages.update_many(
                    {"status": Status.SENDING.value, "lease_until": {"$lt": now()}},
                    {"$set": {"status": Status.QUEUED.value, "next_attempt_at": now()}},
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if _stopping():
                    raise
                log.warning("lease sweep failed: %r", exc)


def _stopping() -> bool:
    """The task is being cancelled (PyMongo turns that into its own error)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
