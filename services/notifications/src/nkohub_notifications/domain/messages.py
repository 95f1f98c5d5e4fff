"""Messages: what is stored before it is sent, and how its status moves.

``queued → sending → sent | failed``, back to ``queued`` after a temporary failure (with
backoff) or when the lease of a sender that died runs out; ``suppressed`` when it must no
longer go out (unsubscribed, registration cancelled, meetup moved). Staff may put a
``failed`` message back in the queue.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from nkohub_notifications.domain.clock import now
from nkohub_shared.ids import new_id
from nkohub_shared.privacy import normalise_email, person_key
from nkohub_shared.text import one_line


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    TELEGRAM = "telegram"


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender (lease); back to queued if it died
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # not sent on purpose (unsubscribed, registration cancelled)


RETRYABLE_BY_STAFF = Status.FAILED


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # retry later (4xx, connection refused, timeout)
    PERMANENT = "permanent"  # never retry (5xx)


class Delivery(BaseModel):
    outcome: Outcome
    detail: str = ""
    retry_after: float | None = None  # seconds the far side asked us to wait (HTTP 429)


HISTORY_KEEP = 20  # delivery attempts kept on a message


@dataclass(frozen=True)
class Recipient:
    """Who a message is for: the person key names them in events, never the address."""

    key: str  # person_key
    name: str
    email: str | None = None
    subscriber_id: str | None = None  # marketing mail: the unsubscribe link names it

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", one_line(self.name))

    @classmethod
    def of(cls, name: str, email: str, subscriber_id: str | None = None) -> Recipient:
        return cls(person_key(email), name, normalise_email(email), subscriber_id)


def idempotency_key(cause: str, recipient_key: str, template: str, channel: Channel) -> str:
    """Cause (usually the event id) + recipient + template (+ channel unless e-mail): one
    message, whatever repeats."""
    what = template if channel is Channel.EMAIL else f"{template}:{channel.value}"
    return f"{cause}|{recipient_key}|{what}"


def message_document(
    *,
    cause: str,
    channel: Channel,
    to: str,
    recipient: Recipient,
    template: str,
    topic: str | None = None,
    cause_event_id: str | None = None,
    meetup_id: str | None = None,
    registration_id: str | None = None,
    not_before: datetime | None = None,
    about_keys: list[str] | None = None,
    at: datetime | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A new queued message (``content``: subject, text, html, headers, attachments or
    payload, as the channel needs). ``about_keys``: other people whose data the content
    carries (a booking's contact in the specialist's copy), so their erasure reaches it."""
    at = at or now()
    return {
        "_id": new_id(),
        "key": idempotency_key(cause, recipient.key, template, channel),
        "channel": channel.value,
        "template": template,
        "topic": topic,
        "recipient_key": recipient.key,
        "recipient_name": recipient.name,
        "subscriber_id": recipient.subscriber_id,
        "to": to,
        "cause_event_id": cause_event_id,
        "meetup_id": meetup_id,
        "registration_id": registration_id,
        "about_keys": about_keys or [],
        "status": Status.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": not_before or at,
        "last_error": None,
        "created_at": at,
        "updated_at": at,
        "sent_at": None,
        "priority": 0,  # a mailing's messages: 1 (after one person's own)
        "handed_over_at": None,
        **content,
    }


def retry_delay(attempts: int, *, base: float, ceiling: float) -> timedelta:
    """Exponential backoff: base, 2·base, 4·base … capped; ``attempts`` already made ≥ 1."""
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), ceiling))


def after_attempt(
    delivery: Delivery,
    attempts: int,
    *,
    max_attempts: int,
    base: float,
    ceiling: float,
    at: datetime | None = None,
) -> tuple[Status, datetime | None]:
    """The status (and next attempt) after a send attempt numbered ``attempts``."""
    if delivery.outcome is Outcome.SENT:
        return Status.SENT, None
    if delivery.outcome is Outcome.PERMANENT or attempts >= max_attempts:
        return Status.FAILED, None
    delay = retry_delay(attempts, base=base, ceiling=ceiling)
    if delivery.retry_after:  # the far side's own wish (Telegram's retry_after) wins
        delay = max(delay, timedelta(seconds=delivery.retry_after))
    return Status.QUEUED, (at or now()) + delay


def unbuildable(document: dict[str, Any], reason: str) -> dict[str, Any]:
    """A message that cannot be built (bad address, template error): stored ``failed``
    with its reason and no content, never queued, so nothing retries it."""
    return {
        **document,
        "status": Status.FAILED.value,
        "last_error": reason,
        "next_attempt_at": None,
        "subject": "",
        "text": "",
        "html": "",
        "attachments": [],
        "headers": {},
    }


def smtp_outcome(code: int | None) -> Outcome:
    """A reply code's meaning: 2xx sent, 4xx (or no reply at all) temporary, 5xx permanent."""
    if code is None:
        return Outcome.TEMPORARY
    if 200 <= code < 300:
        return Outcome.SENT
    if 500 <= code < 600:
        return Outcome.PERMANENT
    return Outcome.TEMPORARY


def http_outcome(status: int) -> Outcome:
    """2xx sent; 408, 425, 429 and 5xx temporary; any other answer permanent."""
    if 200 <= status < 300:
        return Outcome.SENT
    if status in (408, 425, 429) or status >= 500:
        return Outcome.TEMPORARY
    return Outcome.PERMANENT


def webhook_signature(secret: str, body: bytes) -> str:
    """``X-Nkohub-Signature``: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class MessageFilter:
    """What staff filter the delivery log by (``recipient``: an address or a person key)."""

    recipient: str | None = None
    status: Status | None = None
    template: str | None = None
    meetup_id: str | None = None
    channel: str | None = None
    mailing_id: str | None = None

    @property
    def recipient_key(self) -> str | None:
        if not self.recipient:
            return None
        if "@" in self.recipient:
            return person_key(self.recipient)
        return self.recipient.strip().lower()
