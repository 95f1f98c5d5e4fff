"""Mailings: staff write one, see who it reaches, preview it, test it on themselves, send
it now or at a time (or cancel it while it waits); the scheduler fans it out and follows
its messages until every one reached its end.

The fan-out is durable: a claimed mailing carries a lease, each recipient's message has
the unique idempotency key ``mailing:<id>|<person key>|mailing``, so a fan-out taken over
after its process died queues only the recipients it had not queued yet. The messages go
through the sender like any other (claimed one by one, rate-limited, after one person's
own messages), and each asks the segment's rule again just before it leaves: someone who
unsubscribed meanwhile is ``suppressed``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from nkohub_contracts import new_event
from nkohub_contracts.notifications import MailingCounts, MailingScheduled, MailingSent
from nkohub_notifications.domain.attachments import message_attachment
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.mailings import (
    LEASE,
    TEMPLATE,
    MailingChanges,
    MailingDraft,
    MailingStatus,
    Segment,
    Verdict,
    audience_counts,
    changed_fields,
    finished,
    mailing_document,
    message_cause,
    progress,
    test_cause,
)
from nkohub_notifications.domain.markdown import markdown_html, markdown_text
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.rendering import Rendered
from nkohub_notifications.domain.subscribers import TOPIC_LABELS, Topic, contact_document
from nkohub_notifications.repository import (
    MailingRepository,
    MessageRepository,
    SubscriberRepository,
)
from nkohub_notifications.service.attachments import Attachments
from nkohub_notifications.service.messages import Notifier
from nkohub_notifications.service.segments import Candidate, Segments
from nkohub_shared.errors import Conflict, InvalidInput, NotFound

log = logging.getLogger("nkohub.notifications.mailings")

QUEUE_BATCH = 500
PRIORITY = 1  # after one person's own messages
PAST_GRACE = timedelta(minutes=1)  # «at 10:00» asked at 10:00:30 is not in the past
SAMPLE_LINK = "https://example.org/preview"


def _content(mailing: dict[str, Any]) -> dict[str, Any]:
    return {
        "mailing_subject": mailing["subject"],
        "body_html": markdown_html(mailing["body"]),
        "body_text": markdown_text(mailing["body"]),
    }


class Mailings:
    def __init__(
        self,
        mailings: MailingRepository,
        messages: MessageRepository,
        subscribers: SubscriberRepository,
        segments: Segments,
        notifier: Notifier,
        attachments: Attachments,
        *,
        lease: timedelta = LEASE,
    ) -> None:
        self._attachments = attachments
        self._lease = lease
        self._mailings = mailings
        self._messages = messages
        self._subscribers = subscribers
        self._segments = segments
        self._notifier = notifier

    # --- writing -------------------------------------------------------------------------

    async def create(self, draft: MailingDraft, *, author: str) -> dict[str, Any]:
        return await self._mailings.insert(mailing_document(draft, author=author))

    async def get(self, mailing_id: str) -> dict[str, Any]:
        mailing = await self._mailings.get(mailing_id)
        if mailing is None:
            raise NotFound("no such mailing", field="mailing_id")
        return mailing

    async def page(
        self, status: MailingStatus | None, *, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        return await self._mailings.page(status, offset=offset, limit=limit)

    async def change(self, mailing_id: str, changes: MailingChanges) -> dict[str, Any]:
        if changes.attachments is not None:
            current = await self.get(mailing_id)
            if current["status"] == MailingStatus.SCHEDULED:
                # a scheduled mailing's files are copied now, as when it was scheduled
                await self._attachments.ensure_copies(
                    {**current, "attachments": list(dict.fromkeys(changes.attachments))}
                )
        updated = await self._mailings.change_editable(mailing_id, changed_fields(changes))
        if updated is None:
            await self.get(mailing_id)  # 404 if there is none
            raise Conflict("рассылку уже отправляют или отменили: её не изменить", field="status")
        return updated

    # --- before sending ------------------------------------------------------------------

    async def audience(self, segment: Segment) -> dict[str, int]:
        """How many the segment mails, and how many it leaves out and why."""
        verdicts = [c.verdict async for c in self._segments.candidates(segment)]
        return audience_counts(verdicts)

    async def preview(self, mailing_id: str, *, name: str = "Мария Петрова") -> Rendered:
        """The message as a recipient sees it (links of a sample recipient)."""
        mailing = await self.get(mailing_id)
        topic = Topic(mailing["topic"])
        context = {
            **_content(mailing),
            "name": name,
            "unsubscribe_url": SAMPLE_LINK,
            "preferences_url": SAMPLE_LINK,
            "topic_label": TOPIC_LABELS[topic],
        }
        return self._notifier.renderer.render(TEMPLATE, context)

    async def test_send(self, mailing_id: str, *, email: str, author: str) -> dict[str, Any]:
        """The message to the staff member, marked as a test; unsubscribing from it
        leads nowhere (its links name no subscriber)."""
        mailing = await self.get(mailing_id)
        copies = await self._attachments.ensure_copies(mailing)
        content = _content(mailing)
        content["mailing_subject"] = f"[Проверка] {mailing['subject']}"
        message = self._notifier.email(
            cause=test_cause(mailing_id),
            recipient=Recipient.of(author, email, subscriber_id=f"test-{mailing_id}"),
            template=TEMPLATE,
            context=content,
            topic=Topic(mailing["topic"]),
            attachments=[message_attachment(c) for c in copies],
            extra={"mailing_test_of": mailing_id},
        )
        if message["status"] != "queued":
            raise InvalidInput(message["last_error"], field="email")
        await self._notifier.queue([message])
        return {"message_id": message["_id"], "to": message["to"]}

    async def schedule(
        self, mailing_id: str, send_at: datetime | None, *, author: str
    ) -> dict[str, Any]:
        """Send now (``send_at`` ``None``) or at a time: ``notifications.mailing.scheduled``
        with the segment's counts. A segment that mails nobody is refused."""
        at = now()
        if send_at is not None:
            if send_at.tzinfo is None:
                raise InvalidInput("время отправки нужно указать с часовым поясом", field="send_at")
            if send_at < at - PAST_GRACE:
                raise InvalidInput("время отправки уже прошло", field="send_at")
        when = max(send_at or at, at)
        mailing = await self.get(mailing_id)
        if mailing["status"] not in (MailingStatus.DRAFT, MailingStatus.SCHEDULED):
            raise Conflict("рассылку уже отправляют или отменили", field="status")
        segment = Segment.model_validate(mailing["segment"])
        counts = await self.audience(segment)
        if counts[Verdict.INCLUDED] == 0:
            raise Conflict(
                "в сегменте нет ни одного получателя, которому можно писать", field="segment"
            )
        await self._attachments.ensure_copies(mailing)  # 422 naming attachments
        event = MailingScheduled(
            mailing_id=mailing_id,
            title=mailing["subject"],
            topic=mailing["topic"],
            segment=segment.kind.value,
            send_at=when,
            counts=MailingCounts(**counts),
        )
        fields = {"send_at": when, "scheduled_by": author, "audience": counts, "updated_at": at}
        updated = await self._mailings.schedule(mailing_id, fields, new_event(event))
        if updated is None:
            raise Conflict("рассылку уже отправляют или отменили", field="status")
        return updated

    async def cancel(self, mailing_id: str, *, author: str) -> dict[str, Any]:
        cancelled = await self._mailings.cancel(mailing_id, now(), author)
        if cancelled is None:
            await self.get(mailing_id)
            raise Conflict("отменить можно только запланированную рассылку", field="status")
        return cancelled

    async def progress(self, mailing_id: str) -> dict[str, int]:
        return progress(await self._messages.mailing_counts(mailing_id))

    async def unconfirmed(self, mailing_id: str) -> int:
        """Of the sent ones, how many without the mail server's confirmation."""
        return await self._messages.mailing_unconfirmed(mailing_id)

    # --- the scheduler -------------------------------------------------------------------

    async def run_due(self) -> int:
        """Fan out every mailing whose time came (or whose fan-out was left by a process
        that died), then close those whose messages all reached their end. Returns how
        many messages were queued."""
        queued = 0
        while True:
            at = now()
            mailing = await self._mailings.claim_due(at, at + self._lease)
            if mailing is None:
                break
            queued += await self.fan_out(mailing)
        await self.close_finished()
        return queued

    async def fan_out(self, mailing: dict[str, Any]) -> int:
        """Queue one message per included recipient (a recipient queued before is
        skipped by its key); the audience counts are those of this run."""
        mailing_id = mailing["_id"]
        segment = Segment.model_validate(mailing["segment"])
        topic = Topic(mailing["topic"])
        content = _content(mailing)
        content["attachments"] = [
            message_attachment(c) for c in mailing.get("attachment_copies") or []
        ]
        verdicts: list[Verdict] = []
        batch: list[Candidate] = []
        queued = 0
        async for candidate in self._segments.candidates(segment):
            verdicts.append(candidate.verdict)
            if candidate.verdict is not Verdict.INCLUDED:
                continue
            batch.append(candidate)
            if len(batch) >= QUEUE_BATCH:
                queued += await self._queue(mailing_id, segment, topic, content, batch)
                batch = []
                await self._mailings.extend_lease(mailing_id, now() + self._lease)
        queued += await self._queue(mailing_id, segment, topic, content, batch)
        counts = audience_counts(verdicts)
        await self._mailings.fanned_out(mailing_id, {"audience": counts, "updated_at": now()})
        log.info("mailing %s fanned out: %s (%d new messages)", mailing_id, counts, queued)
        return queued

    async def _queue(
        self,
        mailing_id: str,
        segment: Segment,
        topic: Topic,
        content: dict[str, Any],
        batch: list[Candidate],
    ) -> int:
        if not batch:
            return 0
        missing = [c for c in batch if c.subscriber is None and c.email]
        for candidate in missing:  # reached by contact: a recipient to unsubscribe with
            assert candidate.email is not None
            await self._subscribers.insert_if_absent(
                candidate.key, contact_document(candidate.name, candidate.email)
            )
        ids = {}
        if missing:
            found = await self._subscribers.of_people([c.key for c in missing])
            ids = {key: sub["_id"] for key, sub in found.items()}
        documents = []
        context = {k: v for k, v in content.items() if k != "attachments"}
        for candidate in batch:
            subscriber_id = candidate.subscriber_id or ids.get(candidate.key)
            documents.append(
                self._notifier.email(
                    cause=message_cause(mailing_id),
                    recipient=Recipient(
                        candidate.key, candidate.name, candidate.email, subscriber_id
                    ),
                    template=TEMPLATE,
                    context=context,
                    topic=topic,
                    attachments=content["attachments"],
                    extra={
                        "mailing_id": mailing_id,
                        "mailing_basis": segment.basis.value,
                        "priority": PRIORITY,
                    },
                )
            )
        return await self._notifier.queue(documents)

    async def close_finished(self) -> int:
        """Mailings whose every message reached its end: ``sent``, with
        ``notifications.mailing.sent`` and the final counts."""
        closed = 0
        for mailing in await self._mailings.sending():
            done = progress(await self._messages.mailing_counts(mailing["_id"]))
            if not finished(done):
                continue
            at = now()
            audience = mailing.get("audience") or {}
            counts = MailingCounts(
                included=audience.get("included", 0),
                no_consent=audience.get("no_consent", 0),
                unsubscribed=audience.get("unsubscribed", 0),
                no_address=audience.get("no_address", 0),
                sent=done["sent"],
                failed=done["failed"],
                suppressed=done["suppressed"],
            )
            event = MailingSent(
                mailing_id=mailing["_id"],
                title=mailing["subject"],
                topic=mailing["topic"],
                segment=mailing["segment"]["kind"],
                started_at=mailing.get("started_at") or at,
                finished_at=at,
                counts=counts,
            )
            fields = {"finished_at": at, "result": done, "updated_at": at}
            if await self._mailings.finish(mailing["_id"], fields, new_event(event)):
                closed += 1
        return closed
