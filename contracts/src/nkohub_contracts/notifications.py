"""Integration events published by the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nkohub_contracts.base import IntegrationEvent

__all__ = [
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
