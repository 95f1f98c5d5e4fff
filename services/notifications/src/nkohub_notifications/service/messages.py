"""Turning triggers into stored messages: who gets what, rendered, with links.

``Notifier`` only *queues* messages (documents with a unique idempotency key); the
sender delivers them. Re-running any of its fan-outs after a crash or a redelivered
event inserts nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.links import MailLinks
from nkohub_notifications.domain.messages import Channel, Recipient, message_document
from nkohub_notifications.domain.rendering import SPECS, Rendered, Renderer
from nkohub_notifications.domain.samples import sample_context
from nkohub_notifications.domain.subscribers import Topic
from nkohub_notifications.repository import MessageRepository, SubscriberRepository
from nkohub_shared.calendar import meetup_invitation
from nkohub_shared.contracts import CloudEvent
from nkohub_shared.contracts.common import MeetupSnapshot

FAN_OUT_BATCH = 500
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
        attachments: Iterable[dict[str, str]] = (),
        topic: Topic | None = None,
        cause_event_id: str | None = None,
        meetup_id: str | None = None,
        registration_id: str | None = None,
        not_before: datetime | None = None,
    ) -> dict[str, Any]:
        """A queued e-mail document; marketing-like ones carry List-Unsubscribe."""
        if recipient.email is None:
            raise ValueError("an e-mail needs the recipient's address")
        headers: dict[str, str] = {}
        if not SPECS[template].transactional:
            if recipient.subscriber_id is None:
                raise ValueError("marketing mail needs a subscriber to unsubscribe")
            headers = self.links.list_unsubscribe(recipient.subscriber_id)
            context = {
                **context,
                "unsubscribe_url": self.links.unsubscribe(recipient.subscriber_id),
            }
        rendered = self.renderer.render(template, {"name": recipient.name, **context})
        return message_document(
            cause=cause,
            channel=Channel.EMAIL,
            to=recipient.email,
            recipient=recipient,
            template=template,
            topic=topic.value if topic else None,
            cause_event_id=cause_event_id,
            meetup_id=meetup_id,
            registration_id=registration_id,
            not_before=not_before,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers=headers,
            attachments=list(attachments),
        )

    async def queue(self, documents: list[dict[str, Any]]) -> int:
        """Store the messages (those already queued once are skipped); returns how many
        are new, and wakes the sender for them."""
        inserted = await self._messages.insert_new(documents)
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
                rendered = self.renderer.render(template, {"name": recipient.name, **context})
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
