"""Turning triggers into stored messages: who gets what, rendered, with links.

Every function here only *queues* messages (documents with a unique idempotency key);
the sender delivers them. Re-running any of them after a crash or a redelivered event
inserts nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from nkohub_notifications.domain import (
    CONFIRM,
    UNSUBSCRIBE,
    Channel,
    Status,
    Topic,
    follower_query,
    idempotency_key,
    new_id,
    now,
)
from nkohub_notifications.rendering import SPECS, Renderer
from nkohub_notifications.repository import MESSAGES, SUBSCRIBERS, Db, insert_messages
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.calendar import meetup_invitation
from nkohub_shared.contracts import CloudEvent
from nkohub_shared.contracts.common import MeetupSnapshot
from nkohub_shared.privacy import normalise_email, person_key, sign


@dataclass(frozen=True)
class Recipient:
    key: str  # person_key
    name: str
    email: str | None = None
    subscriber_id: str | None = None  # marketing mail: the unsubscribe link names it

    @classmethod
    def of(cls, name: str, email: str, subscriber_id: str | None = None) -> Recipient:
        return cls(person_key(email), name, normalise_email(email), subscriber_id)


def _base(url: object) -> str:
    return str(url).rstrip("/")


class Links:
    """Signed links: the events service's (cancel, feedback) and our own."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._events = _base(settings.events_public_url)
        self._own = _base(settings.public_base_url)
        self._mailto = settings.unsubscribe_mailto

    def registration_cancel(self, registration_id: str) -> str:
        token = sign(self._secret, "registration", registration_id)
        return f"{self._events}/registrations/{registration_id}/cancel?token={token}"

    def feedback(self, meetup_id: str, registration_id: str) -> str:
        token = sign(self._secret, "registration", registration_id)
        return (
            f"{self._events}/meetups/{meetup_id}/feedback"
            f"?registration={registration_id}&token={token}"
        )

    def consultation_cancel(self, consultation_id: str) -> str:
        token = sign(self._secret, "consultation", consultation_id)
        return f"{self._events}/consultations/{consultation_id}/cancel?token={token}"

    def unsubscribe_token(self, subscriber_id: str) -> str:
        return sign(self._secret, UNSUBSCRIBE, subscriber_id)

    def unsubscribe(self, subscriber_id: str) -> str:
        return (
            f"{self._own}/unsubscribe/{subscriber_id}?token={self.unsubscribe_token(subscriber_id)}"
        )

    def unsubscribe_mailto(self, subscriber_id: str) -> str:
        subject = quote(f"unsubscribe {subscriber_id} {self.unsubscribe_token(subscriber_id)}")
        return f"mailto:{self._mailto}?subject={subject}"

    def confirm(self, subscriber_id: str) -> str:
        token = sign(self._secret, CONFIRM, subscriber_id)
        return f"{self._own}/subscriptions/{subscriber_id}/confirm?token={token}"


def invitation(meetup: MeetupSnapshot, *, cancelled: bool = False) -> dict[str, str]:
    return {
        "content": meetup_invitation(meetup, cancelled=cancelled).decode(),
        "subtype": "calendar",
        "filename": "invite.ics",
        "method": "CANCEL" if cancelled else "REQUEST",
    }


class Notifier:
    def __init__(
        self, db: Db, settings: NotificationsSettings, renderer: Renderer, wake: Any
    ) -> None:
        self.db = db
        self.settings = settings
        self.renderer = renderer
        self.links = Links(settings)
        self._wake = wake

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
        """A queued e-mail document; non-transactional ones carry List-Unsubscribe."""
        assert recipient.email
        headers: dict[str, str] = {}
        if not SPECS[template].transactional:
            assert recipient.subscriber_id, "marketing mail needs a subscriber to unsubscribe"
            link = self.links.unsubscribe(recipient.subscriber_id)
            mailto = self.links.unsubscribe_mailto(recipient.subscriber_id)
            headers["List-Unsubscribe"] = f"<{link}>, <{mailto}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            context = {**context, "unsubscribe_url": link}
        rendered = self.renderer.render(template, {"name": recipient.name, **context})
        return self._document(
            cause=cause,
            channel=Channel.EMAIL,
            to=recipient.email,
            recipient=recipient,
            template=template,
            topic=topic,
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

    def _document(
        self,
        *,
        cause: str,
        channel: Channel,
        to: str,
        recipient: Recipient,
        template: str,
        topic: Topic | None,
        cause_event_id: str | None,
        meetup_id: str | None = None,
        registration_id: str | None = None,
        not_before: datetime | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        at = now()
        return {
            "_id": new_id(),
            "key": idempotency_key(cause, recipient.key, f"{template}:{channel.value}")
            if channel is not Channel.EMAIL
            else idempotency_key(cause, recipient.key, template),
            "channel": channel.value,
            "template": template,
            "topic": topic.value if topic else None,
            "recipient_key": recipient.key,
            "recipient_name": recipient.name,
            "subscriber_id": recipient.subscriber_id,
            "to": to,
            "cause_event_id": cause_event_id,
            "meetup_id": meetup_id,
            "registration_id": registration_id,
            "status": Status.QUEUED.value,
            "attempts": 0,
            "next_attempt_at": not_before or at,
            "last_error": None,
            "created_at": at,
            "updated_at": at,
            "sent_at": None,
            **content,
        }

    async def queue(self, documents: list[dict[str, Any]]) -> int:
        inserted = await insert_messages(self.db, documents)
        if inserted:
            self._wake()
        return inserted

    # --- fan-out to followers ----------------------------------------------------------

    async def to_followers(
        self,
        *,
        topic: Topic,
        template: str,
        cause: str,
        context_for: Any,
        envelope: CloudEvent | None = None,
        meetup_id: str | None = None,
    ) -> int:
        """E-mail to everyone following ``topic`` (``context_for(subscriber)`` gives the
        template context, or None to skip them); with ``envelope``, also the webhook (and
        Telegram) followers."""
        total = 0
        batch: list[dict[str, Any]] = []
        cause_event_id = envelope.id if envelope else None
        cursor = self.db[SUBSCRIBERS].find(follower_query(topic, Channel.EMAIL))
        async for sub in cursor:
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
            if len(batch) >= 500:
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
        context_for: Any,
        meetup_id: str | None,
    ) -> int:
        """Webhooks get the CloudEvent itself; Telegram (when configured) the text part."""
        documents = []
        async for sub in self.db[SUBSCRIBERS].find(follower_query(topic, Channel.WEBHOOK)):
            recipient = Recipient(sub["person_key"], sub["name"], sub.get("email"), sub["_id"])
            documents.append(
                self._document(
                    cause=envelope.id,
                    channel=Channel.WEBHOOK,
                    to=sub["webhook_url"],
                    recipient=recipient,
                    template=template,
                    topic=topic,
                    cause_event_id=envelope.id,
                    meetup_id=meetup_id,
                    subject=envelope.type,
                    payload=envelope.model_dump(mode="json", exclude_none=True),
                )
            )
        if self.settings.telegram_bot_token is not None:
            async for sub in self.db[SUBSCRIBERS].find(follower_query(topic, Channel.TELEGRAM)):
                recipient = Recipient(sub["person_key"], sub["name"], sub.get("email"), sub["_id"])
                context = context_for(sub)
                if context is None:
                    continue
                rendered = self.renderer.render(template, {"name": sub["name"], **context})
                documents.append(
                    self._document(
                        cause=envelope.id,
                        channel=Channel.TELEGRAM,
                        to=sub["telegram_chat_id"],
                        recipient=recipient,
                        template=template,
                        topic=topic,
                        cause_event_id=envelope.id,
                        meetup_id=meetup_id,
                        subject=rendered.subject,
                        text=rendered.text,
                    )
                )
        return await self.queue(documents)

    async def suppress(self, filter: dict[str, Any], reason: str) -> None:
        """Queued messages that must no longer go out (e.g. reminders of a cancellation)."""
        await self.db[MESSAGES].update_many(
            {**filter, "status": Status.QUEUED.value},
            {
                "$set": {
                    "status": Status.SUPPRESSED.value,
                    "last_error": reason,
                    "updated_at": now(),
                }
            },
        )
