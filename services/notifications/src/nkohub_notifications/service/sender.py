"""The sender: a background job that delivers due queued messages.

A feeder looks up due messages in batches; workers claim each one atomically (still
queued and due → sending, with a lease and ``attempts + 1``), so two workers or two
processes never send the same message. The outcome is written with its
``notifications.message.sent`` / ``failed`` event in the same single-document write. A
claim whose worker died returns to the queue when its lease expires (the lease sweep) —
unless the e-mail's content had been handed over to the SMTP server (``handed_over_at``,
recorded just before the content is written): the server may have it, so it is counted
sent (``unconfirmed``) rather than sent twice. Sending is rate-limited per channel, and a
mailing's messages also by ``mailing_rate_per_second``, after one person's own messages;
the rates hold for all replicas together (send slots taken in MongoDB, ``Pacing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.notifications import MessageFailed, MessageSent
from nkohub_notifications.channels import Connection
from nkohub_notifications.channels.smtp import SmtpPool
from nkohub_notifications.channels.targets import WebhookTargets
from nkohub_notifications.channels.telegram import TelegramConnection
from nkohub_notifications.channels.webhook import WebhookConnection
from nkohub_notifications.domain.caps import cap_key, cap_reason, mail_caps
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.mailings import Basis, Verdict, verdict
from nkohub_notifications.domain.messages import (
    HISTORY_KEEP,
    Channel,
    Delivery,
    Outcome,
    Status,
    after_attempt,
)
from nkohub_notifications.domain.reasons import scrub_reason
from nkohub_notifications.domain.subscribers import Topic, follows
from nkohub_notifications.repository import MessageRepository, SubscriberRepository
from nkohub_notifications.repository.messages import Due
from nkohub_notifications.service.attachments import Attachments, MissingCopy
from nkohub_notifications.service.sending_rate import Pacing
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.cancellation import being_cancelled
from nkohub_shared.storage.ratelimit import RateCounter

log = logging.getLogger("nkohub.notifications.sender")


class ClaimLost(Exception):
    """The message is no longer this sender's: its lease ran out before the hand-over."""


# Due messages looked up per query: the look-up sorts the queued messages (the embedded
# store reads the whole collection to do it), so one per few hundred messages, not per
# hundred.
CLAIM_BATCH = 500
# Messages on their way at once per SMTP connection: a message spends most of its time in
# MongoDB writes (claim, checks, cap counts, hand-over mark, outcome), which are group
# commits, so more messages in flight means larger groups and busy connections (with 8,
# a fan-out's messages waited on their writes while connections stood idle).
IN_FLIGHT_PER_CONNECTION = 32
# With a rate limit the rate, not the writes, sets the pace: fewer in flight keep the
# delay between a send slot and the e-mail leaving short and even.
IN_FLIGHT_PER_CONNECTION_PACED = 8


class Sender:
    def __init__(
        self,
        messages: MessageRepository,
        subscribers: SubscriberRepository,
        settings: NotificationsSettings,
        *,
        rate_limits: RateCounter,
        targets: WebhookTargets,
        attachments: Attachments | None = None,
        pacing: Pacing,
    ) -> None:
        self._attachments = attachments
        self._messages = messages
        self._subscribers = subscribers
        self._settings = settings
        self._rate_limits = rate_limits
        self._targets = targets
        self._caps = mail_caps(settings.mail_cap_per_hour, settings.mail_cap_per_day)
        self._wake = asyncio.Event()
        self.pacing = pacing  # replaceable before ``run`` (tests pace on their own clock)

    def wake(self) -> None:
        """New messages are queued: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """The background job: a feeder, workers (``IN_FLIGHT_PER_CONNECTION`` for each of
        the ``sender_workers`` SMTP connections of the pool) and a lease sweeper."""
        async with httpx.AsyncClient(timeout=self._settings.webhook_timeout_seconds) as client:
            smtp = SmtpPool(
                self._settings,
                size=self._settings.sender_workers,
                handing_over=self._handing_over,
            )
            connections: dict[Channel, Connection] = {
                Channel.EMAIL: smtp,
                Channel.WEBHOOK: WebhookConnection(self._settings, client, self._targets),
                Channel.TELEGRAM: TelegramConnection(self._settings, client),
            }
            candidates: asyncio.Queue[Due] = asyncio.Queue(maxsize=CLAIM_BATCH)
            in_flight: set[str] = set()
            paced = self._settings.email_rate_per_second > 0
            per_connection = IN_FLIGHT_PER_CONNECTION_PACED if paced else IN_FLIGHT_PER_CONNECTION
            workers = self._settings.sender_workers * per_connection
            tasks = [
                asyncio.create_task(
                    self._worker(connections, candidates, in_flight), name=f"sender-{i}"
                )
                for i in range(workers)
            ]
            tasks.append(asyncio.create_task(self._feed(candidates, in_flight), name="feeder"))
            tasks.append(asyncio.create_task(self._sweep_leases(), name="sender-leases"))
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await smtp.close()

    async def _feed(self, candidates: asyncio.Queue[Due], in_flight: set[str]) -> None:
        """Find due messages in batches (one query per batch, not per message) and hand
        their ids to the workers; each worker then claims its message atomically."""
        while True:
            self._wake.clear()
            try:
                found = await self._messages.due(now(), exclude=in_flight, limit=CLAIM_BATCH)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if being_cancelled():
                    raise
                log.warning("could not look for due messages: %r", exc)
                found = []
            for due in found:
                in_flight.add(due.message_id)
                await candidates.put(due)  # waits while the workers are busy
            if not found:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.sender_poll_seconds)

    async def _worker(
        self,
        connections: dict[Channel, Connection],
        candidates: asyncio.Queue[Due],
        in_flight: set[str],
    ) -> None:
        while True:
            due = await candidates.get()
            message_id = due.message_id
            try:
                message = await self.claim(message_id, due_at=due.due_at)
                if message is not None:
                    await self.process(message, connections[Channel(message["channel"])])
            except asyncio.CancelledError:
                raise
            except Exception:  # the lease brings it back
                if being_cancelled():
                    raise
                log.exception("sending message %s failed unexpectedly", message_id)
            finally:
                in_flight.discard(message_id)

    async def claim(
        self, message_id: str, *, due_at: datetime | None = None
    ) -> dict[str, Any] | None:
        """Take the message if it is still queued and due (one sender wins); ``due_at``:
        the due time it had when found (it must not have changed since)."""
        at = now()
        lease = timedelta(seconds=self._settings.send_lease_seconds)
        return await self._messages.claim(message_id, at, at + lease, due_at=due_at)

    async def _handing_over(self, message: dict[str, Any]) -> None:
        """Record the hand-over, or refuse it (nothing is written to the server) when the
        claim ran out meanwhile — a slow slot or a stalled process — and the message went
        back to the queue, where another sender may have taken it."""
        claimed = await self._messages.mark_handed_over(message["_id"], now())
        if not claimed:
            raise ClaimLost(f"the claim of message {message['_id']} ran out before hand-over")

    async def process(self, message: dict[str, Any], connection: Connection) -> None:
        """Deliver a claimed message and record the outcome. The rate limit's wait comes
        first, so that whether it is still wanted is asked just before it leaves."""
        if message.get("mailing_id"):
            await self.pacing.mailings.wait()
        await self.pacing.channels[Channel(message["channel"])].wait()
        wanted_check = message.get("topic") and not message.get("mailing_test_of")
        if wanted_check and not await self._still_wanted(message):
            await self._finish(message, Status.SUPPRESSED, None, "no longer subscribed")
            return
        if message["attempts"] == 1:  # counted once per message, not per retry
            over = await self._over_cap(message)
            if over is not None:
                await self._finish(message, Status.SUPPRESSED, None, over)
                return
        try:
            delivery = await connection.deliver(await self._with_files(message))
        except MissingCopy:
            delivery = Delivery(
                outcome=Outcome.PERMANENT, detail="the attachment's copy was deleted"
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a channel's bug or an unforeseen message: never loop on it
            log.exception("message %s could not be sent", message["_id"])
            delivery = Delivery(
                outcome=Outcome.PERMANENT, detail=f"could not be sent: {type(exc).__name__}"
            )
        s = self._settings
        status, next_at = after_attempt(
            delivery,
            message["attempts"],
            max_attempts=s.retry_max_attempts,
            base=s.retry_base_seconds,
            ceiling=s.retry_max_seconds,
        )
        await self._finish(message, status, next_at, delivery.detail, delivery)

    async def _with_files(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message with its mailing's files' bytes (read from this service's copies)."""
        attachments = message.get("attachments") or []
        if self._attachments is None or not any("stored_id" in a for a in attachments):
            return message
        return {**message, "attachments": await self._attachments.resolved(attachments)}

    async def _over_cap(self, message: dict[str, Any]) -> str | None:
        """The reason to suppress the message when its recipient had enough of its kind."""
        key = cap_key(message)
        for limit in self._caps:  # one after the other: counted together, the paced
            # mode's e-mails left in bunches (a rate-limit test failed every time)
            if await self._rate_limits.hit(limit, key) > limit.count:
                return cap_reason(limit)
        return None

    async def _still_wanted(self, message: dict[str, Any]) -> bool:
        subscriber = await self._subscribers.of_person(message["recipient_key"])
        basis = message.get("mailing_basis")
        if basis is not None:  # a mailing: the segment's rule, asked again
            return verdict(subscriber, Topic(message["topic"]), Basis(basis)) is Verdict.INCLUDED
        return subscriber is not None and follows(
            subscriber, Topic(message["topic"]), Channel(message["channel"])
        )

    async def _finish(
        self,
        message: dict[str, Any],
        status: Status,
        next_at: datetime | None,
        detail: str,
        delivery: Delivery | None = None,
    ) -> None:
        at = now()
        detail = scrub_reason(
            detail, secrets=[message.get("to")], names=[message.get("recipient_name") or ""]
        )
        fields: dict[str, Any] = {"status": status.value, "updated_at": at}
        events: list[CloudEvent] = []
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
            events.append(new_event(MessageFailed(**common, reason=detail)))
        elif status is Status.QUEUED:
            fields.update(next_attempt_at=next_at, last_error=detail, handed_over_at=None)
        else:
            fields["last_error"] = detail
        attempt = (
            {"at": at, "outcome": delivery.outcome.value, "detail": detail}
            if delivery is not None
            else None
        )
        await self._messages.finish(
            message["_id"],
            fields,
            *events,
            attempt=attempt,
            history_keep=HISTORY_KEEP,
        )
        if status is Status.QUEUED:
            log.info("message %s deferred: %s", message["_id"], detail)
        elif delivery is not None and delivery.outcome is not Outcome.SENT:
            log.warning("message %s failed: %s", message["_id"], detail)

    async def _sweep_leases(self) -> None:
        """Every poll (at least every second): claims whose lease ran out go back."""
        while True:
            await asyncio.sleep(max(self._settings.sender_poll_seconds, 1.0))
            try:
                await self._settle_handed_over()
                if await self._messages.release_expired_leases(now()):
                    self.wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if being_cancelled():
                    raise
                log.warning("lease sweep failed: %r", exc)

    async def _settle_handed_over(self) -> None:
        """Claims whose sender died after handing the content to the SMTP server: the
        server has the message whole (only the socket write stood between the record
        and its final dot), so it counts as sent, unconfirmed, and is not sent again."""
        for message in await self._messages.expired_handed_over(now()):
            at = now()
            event = MessageSent(
                message_id=message["_id"],
                channel=message["channel"],
                template=message["template"],
                recipient_key=message["recipient_key"],
                cause_event_id=message.get("cause_event_id"),
                attempts=message["attempts"],
                sent_at=message["handed_over_at"],
            )
            fields = {"status": Status.SENT.value, "updated_at": at, "unconfirmed": True}
            fields.update(sent_at=message["handed_over_at"], last_error=None)
            attempt = {"at": at, "outcome": "unconfirmed", "detail": "sender died after hand-over"}
            await self._messages.finish(
                message["_id"], fields, new_event(event), attempt=attempt, history_keep=HISTORY_KEEP
            )
            log.warning("message %s counted sent: its sender died after hand-over", message["_id"])
