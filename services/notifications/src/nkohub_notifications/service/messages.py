"""Turning triggers into stored messages: who gets what, rendered, with links.

``Notifier`` only *queues* messages (documents with a unique idempotency key); the
sender delivers them. Re-running any of its fan-outs after a crash or a redelivered
event inserts nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.common import MeetupSnapshot
from nkohub_contracts.notifications import MessageFailed
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.links import MailLinks
from nkohub_notifications.domain.messages import (
    Channel,
    Recipient,
    Status,
    message_document,
    unbuildable,
)
from nkohub_notifications.domain.reasons import scrub_reason
from nkohub_notifications.domain.rendering import SPECS, Rendered, Renderer
from nkohub_notifications.domain.samples import sample_context
from nkohub_notifications.domain.subscribers import TOPIC_LABELS, Topic
from nkohub_notifications.repository import MessageRepository, SubscriberRepository
from nkohub_shared.calendar import meetup_invitation
from nkohub_shared.text import normalise_email

log = logging.getLogger("nkohub.notifications")

FAN_OUT_BATCH = 500
# What building a message may raise when the data cannot make one (bad data, a template
# bug): the message is stored failed with the reason instead of failing its whole cause.
BUILD_ERRORS = (TemplateError, ValueError, TypeError, KeyError, AttributeError, LookupError)
# A follower's template context, or None to leave them out.
ContextFor = Callable[[dict[str, Any]], dict[str, Any] | None]


def invitation(meetup: MeetupSnapshot, *, cancelled: bool = False) -> dict[str, str]:
    """The ``invite.ics`` attachment (METHOD:REQUEST, or CANCEL)."""
    return {
        "content": meetup_invitation(meetup, cancelled=cancelled).decode(),
        "subtype": "calendar",
        "filename": "invite.ics",
        "method": "CANCEL" if cancelled else "REQUEST",
    }


def _failure(message: dict[str, Any]) -> MessageFailed:
    return MessageFailed(
        message_id=message["_id"],
        channel=message["channel"],
        template=message["template"],
        recipient_key=message["recipient_key"],
        cause_event_id=message.get("cause_event_id"),
        reason=message["last_error"],
        attempts=0,
    )


class Notifier:
    def __init__(
        self,
        messages: MessageRepository,
        subscribers: SubscriberRepository,
        renderer: Renderer,
        links: MailLinks,
        *,
        wake_sender: Callable[[], None],
        telegram_enabled: bool,
    ) -> None:
        self._messages = messages
        self._subscribers = subscribers
        self.renderer = renderer
        self.links = links
        self._wake_sender = wake_sender
        self._telegram = telegram_enabled

    def preview(self, template: str) -> Rendered:
        """The template rendered with its sample data."""
        return self.renderer.render(template, sample_context(template))

    # --- building and queueing ---------------------------------------------------------

    def email(
        self,
        *,
        cause: str,
        recipient: Recipient,
        template: str,
        context: dict[str, Any],
        attachments: Iterable[dict[str, Any]] = (),
        topic: Topic | None = None,
        cause_event_id: str | None = None,
        meetup_id: str | None = None,
        registration_id: str | None = None,
        not_before: datetime | None = None,
        about_keys: list[str] | None = None,
        greet: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A queued e-mail document; marketing-like ones carry List-Unsubscribe. One that
        cannot be built (an invalid address, a template error) comes back ``failed`` with
        its reason (see ``queue``). ``greet=False``: no name in the greeting. ``extra``:
        fields stored on the message (a mailing's id and basis)."""
        document = message_document(
            cause=cause,
            channel=Channel.EMAIL,
            to=recipient.email or "",
            recipient=recipient,
            template=template,
            topic=topic.value if topic else None,
            cause_event_id=cause_event_id,
            meetup_id=meetup_id,
            registration_id=registration_id,
            not_before=not_before,
            about_keys=about_keys,
            **(extra or {}),
        )
        try:
            normalise_email(recipient.email or "")
        except ValueError:
            return unbuildable(document, "cannot build the message: invalid recipient address")
        headers: dict[str, str] = {}
        try:
            if not SPECS[template].transactional:
                if recipient.subscriber_id is None:
                    raise ValueError("marketing mail needs a subscriber to unsubscribe")
                topic_value = topic.value if topic else None
                headers = self.links.list_unsubscribe(recipient.subscriber_id, topic_value)
                context = {
                    **context,
                    "unsubscribe_url": self.links.unsubscribe(recipient.subscriber_id, topic_value),
                    "preferences_url": self.links.preferences(recipient.subscriber_id),
                    "topic_label": TOPIC_LABELS.get(topic) if topic else None,
                }
            elif recipient.subscriber_id is not None:
                context = {
                    **context,
                    "preferences_url": self.links.preferences(recipient.subscriber_id),
                }
            name = recipient.name if greet else ""
            rendered = self.renderer.render(template, {**context, "name": name})
        except BUILD_ERRORS as exc:
            return unbuildable(document, self._build_failure(exc, recipient))
        return {
            **document,
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "headers": headers,
            "attachments": list(attachments),
        }

    @staticmethod
    def _build_failure(exc: Exception, recipient: Recipient) -> str:
        reason = f"cannot build the message: {type(exc).__name__}: {exc}"
        return scrub_reason(reason, secrets=[recipient.email], names=[recipient.name])

    async def queue(self, documents: list[dict[str, Any]]) -> int:
        """Store the messages (those already queued once are skipped); returns how many
        are new, and wakes the sender for them. One that could not be built is stored
        ``failed`` with ``notifications.message.failed``, and nothing retries it."""
        ready = [d for d in documents if d["status"] == Status.QUEUED.value]
        inserted = await self._messages.insert_new(ready)
        for failed in (d for d in documents if d["status"] == Status.FAILED.value):
            log.warning("message %s cannot be built: %s", failed["_id"], failed["last_error"])
            await self._messages.insert_failed(failed, new_event(_failure(failed)))
        if inserted:
            self._wake_sender()
        return inserted

    async def suppress(
        self,
        reason: str,
        *,
        template: str | None = None,
        meetup_id: str | None = None,
        registration_id: str | None = None,
    ) -> int:
        """Queued messages that must no longer go out (e.g. reminders of a cancellation)."""
        return await self._messages.suppress_queued(
            reason,
            now(),
            template=template,
            meetup_id=meetup_id,
            registration_id=registration_id,
        )

    # --- fan-out to followers ----------------------------------------------------------

    async def to_followers(
        self,
        *,
        topic: Topic,
        template: str,
        cause: str,
        context_for: ContextFor,
        envelope: CloudEvent | None = None,
        meetup_id: str | None = None,
    ) -> int:
        """E-mail to everyone following ``topic``; with ``envelope``, also the webhook (and
        Telegram) followers. Returns how many messages are new."""
        total = 0
        batch: list[dict[str, Any]] = []
        cause_event_id = envelope.id if envelope else None
        async for sub in self._subscribers.followers(topic, Channel.EMAIL):
            context = context_for(sub)
            if context is None:
                continue
            recipient = Recipient(sub["person_key"], sub["name"], sub["email"], sub["_id"])
            batch.append(
                self.email(
                    cause=cause,
                    recipient=recipient,
                    template=template,
                    context=context,
                    topic=topic,
                    cause_event_id=cause_event_id,
                    meetup_id=meetup_id,
                )
            )
            if len(batch) >= FAN_OUT_BATCH:
                total += await self.queue(batch)
                batch = []
        total += await self.queue(batch)
        if envelope is not None:
            total += await self.other_channels(topic, template, envelope, context_for, meetup_id)
        return total

    async def other_channels(
        self,
        topic: Topic,
        template: str,
        envelope: CloudEvent,
        context_for: ContextFor,
        meetup_id: str | None,
    ) -> int:
        """Webhooks get the CloudEvent itself; Telegram (when configured) the text part."""
        documents = []
        async for sub in self._subscribers.followers(topic, Channel.WEBHOOK):
            recipient = Recipient(sub["person_key"], sub["name"], sub.get("email"), sub["_id"])
            documents.append(
                message_document(
                    cause=envelope.id,
                    channel=Channel.WEBHOOK,
                    to=sub["webhook_url"],
                    recipient=recipient,
                    template=template,
                    topic=topic.value,
                    cause_event_id=envelope.id,
                    meetup_id=meetup_id,
                    subject=envelope.type,
                    payload=envelope.model_dump(mode="json", exclude_none=True),
                )
            )
        if self._telegram:
            async for sub in self._subscribers.followers(topic, Channel.TELEGRAM):
                context = context_for(sub)
                if context is None:
                    continue
                recipient = Recipient(sub["person_key"], sub["name"], sub.get("email"), sub["_id"])
                try:
                    rendered = self.renderer.render(template, {**context, "name": recipient.name})
                except BUILD_ERRORS as exc:
                    log.warning("telegram message cannot be built: %s", type(exc).__name__)
                    continue
                documents.append(
                    message_document(
                        cause=envelope.id,
                        channel=Channel.TELEGRAM,
                        to=sub["telegram_chat_id"],
                        recipient=recipient,
                        template=template,
                        topic=topic.value,
                        cause_event_id=envelope.id,
                        meetup_id=meetup_id,
                        subject=rendered.subject,
                        text=rendered.text,
                    )
                )
        return await self.queue(documents)
