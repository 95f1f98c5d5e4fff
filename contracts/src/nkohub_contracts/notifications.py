"""Integration events published by the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nkohub_contracts.base import IntegrationEvent
from nkohub_contracts.common import Part

__all__ = [
    "MailingCounts",
    "MailingScheduled",
    "MailingSent",
    "MessageFailed",
    "MessageSent",
]


class MessageSent(IntegrationEvent):
    """A message left through its channel (SMTP accepted it, the webhook answered 2xx)."""

    type: ClassVar[str] = "notifications.message.sent"
    message_id: str
    channel: str  # email, webhook, telegram
    template: str
    recipient_key: str  # pseudonymous person key, never the address
    cause_event_id: str | None = None
    sent_at: datetime
    attempts: int

    def subject(self) -> str:
        return self.message_id


class MessageFailed(IntegrationEvent):
    """A message could not be delivered (permanent refusal, or retries used up)."""

    type: ClassVar[str] = "notifications.message.failed"
    message_id: str
    channel: str
    template: str
    recipient_key: str
    cause_event_id: str | None = None
    reason: str
    attempts: int

    def subject(self) -> str:
        return self.message_id


class MailingCounts(Part):
    """How many recipients a mailing has and what became of them; never an address."""

    included: int  # recipients of the segment who may be mailed
    no_consent: int = 0  # left out: no mailing consent
    unsubscribed: int = 0  # left out: unsubscribed from the topic or from everything
    no_address: int = 0  # left out: an NGO without a public e-mail address
    sent: int = 0
    failed: int = 0
    suppressed: int = 0  # not sent on purpose (unsubscribed meanwhile, cap reached)


class MailingScheduled(IntegrationEvent):
    """Staff scheduled a mailing to go at ``send_at`` (sent now: the time it was asked);
    ``counts`` are the segment's when it was scheduled."""

    type: ClassVar[str] = "notifications.mailing.scheduled"
    mailing_id: str
    title: str  # the e-mail's subject line
    topic: str  # meetups, grants, blog, mailings: what a recipient unsubscribes from
    segment: str  # the segment's kind: organizations, meetup_registrants, topic, list …
    send_at: datetime
    counts: MailingCounts

    def subject(self) -> str:
        return self.mailing_id


class MailingSent(IntegrationEvent):
    """Every message of a mailing reached its end (sent, failed or suppressed)."""

    type: ClassVar[str] = "notifications.mailing.sent"
    mailing_id: str
    title: str
    topic: str
    segment: str
    started_at: datetime
    finished_at: datetime
    counts: MailingCounts

    def subject(self) -> str:
        return self.mailing_id
