"""The notifications service's domain model and rules (pure: no I/O).

- A **message** is stored before it is sent: recipient, channel, template, rendered
  content, idempotency key (cause + recipient + template, unique), status and attempts.
- A **subscriber** follows topics on channels; marketing-like topics need consent
  (a confirmed double opt-in or a registration's mailing consent).
- A **reminder** is a scheduled message for one registration at ``start − offset``.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from nkohub_shared.privacy import normalise_email, person_key


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


class Topic(StrEnum):
    MEETUPS = "meetups"  # meetup announcements
    GRANTS = "grants"  # grant news and deadlines
    BLOG = "blog"  # daily digest of new posts


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # waits for the confirmation link
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


# Purposes of signed tokens (nkohub_shared.privacy.sign): one per kind of link.
UNSUBSCRIBE = "notifications-unsubscribe"
CONFIRM = "notifications-confirm"


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now(UTC)


def idempotency_key(cause: str, recipient_key: str, template: str) -> str:
    """Cause (usually the event id) + recipient + template: one message, whatever repeats."""
    return f"{cause}|{recipient_key}|{template}"


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # retry later (4xx, connection refused, timeout)
    PERMANENT = "permanent"  # never retry (5xx)


class Delivery(BaseModel):
    outcome: Outcome
    detail: str = ""


def retry_delay(attempts: int, *, base: float, ceiling: float) -> timedelta:
    """Exponential backoff: base, 2·base, 4·base … capped; ``attempts`` already made ≥ 1."""
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), ceiling))


def after_attempt(
    delivery: Delivery, attempts: int, *, max_attempts: int, base: float, ceiling: float
) -> tuple[Status, datetime | None]:
    """The status (and next attempt) after a send attempt numbered ``attempts``."""
    if delivery.outcome is Outcome.SENT:
        return Status.SENT, None
    if delivery.outcome is Outcome.PERMANENT or attempts >= max_attempts:
        return Status.FAILED, None
    return Status.QUEUED, now() + retry_delay(attempts, base=base, ceiling=ceiling)


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
    if 200 <= status < 300:
        return Outcome.SENT
    if status in (408, 425, 429) or status >= 500:
        return Outcome.TEMPORARY
    return Outcome.PERMANENT


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- subscribers -----------------------------------------------------------------------

EMAIL_PATTERN = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"


class TopicChoice(BaseModel):
    """Which channels a subscriber wants a topic on."""

    model_config = ConfigDict(extra="forbid")

    email: bool = True
    webhook: bool = False
    telegram: bool = False


class SubscriberFields(BaseModel):
    """What staff may set on a recipient (and, partly, the public on subscribing)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    telegram_chat_id: str | None = Field(default=None, pattern=r"^-?\d{1,20}$")
    webhook_url: HttpUrl | None = None
    locale: str = Field(default="ru", pattern=r"^(ru)$")
    timezone: str = Field(default="Europe/Samara", max_length=64)
    topics: dict[Topic, TopicChoice] = Field(default_factory=dict)
    blog_categories: list[str] = Field(
        default_factory=list, max_length=50, description="empty: every category"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Samara)") from None
    return value


def subscriber_document(
    fields: SubscriberFields,
    *,
    status: SubscriberStatus,
    source: str,
    consent: bool,
) -> dict[str, Any]:
    at = now()
    return {
        "_id": new_id(),
        "person_key": person_key(fields.email),
        "name": fields.name,
        "email": normalise_email(str(fields.email)),
        "telegram_chat_id": fields.telegram_chat_id,
        "webhook_url": str(fields.webhook_url) if fields.webhook_url else None,
        "locale": fields.locale,
        "timezone": fields.timezone,
        "topics": {t.value: c.model_dump() for t, c in fields.topics.items()},
        "blog_categories": fields.blog_categories,
        "status": status.value,
        "mailing_consent": consent,
        "consent_at": at if consent else None,
        "source": source,
        "created_at": at,
        "updated_at": at,
    }


def follows(subscriber: dict[str, Any], topic: Topic, channel: Channel) -> bool:
    """Marketing-like topics: confirmed, consented, and opted in for this channel."""
    if subscriber.get("status") != SubscriberStatus.CONFIRMED or not subscriber.get(
        "mailing_consent"
    ):
        return False
    choice = (subscriber.get("topics") or {}).get(topic.value) or {}
    if not choice.get(channel.value):
        return False
    if channel is Channel.WEBHOOK:
        return bool(subscriber.get("webhook_url"))
    if channel is Channel.TELEGRAM:
        return bool(subscriber.get("telegram_chat_id"))
    return bool(subscriber.get("email"))


def follower_query(topic: Topic, channel: Channel) -> dict[str, Any]:
    """The MongoDB filter equivalent of ``follows`` (for fan-out)."""
    address = {Channel.EMAIL: "email", Channel.WEBHOOK: "webhook_url"}.get(
        channel, "telegram_chat_id"
    )
    return {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        f"topics.{topic.value}.{channel.value}": True,
        address: {"$ne": None},
    }


# --- reminders -------------------------------------------------------------------------


def reminder_times(
    starts_at: datetime, offsets: list[timedelta], at: datetime
) -> list[tuple[int, datetime]]:
    """``(offset seconds, due time)`` of the reminders still ahead of ``at``."""
    result = []
    for offset in offsets:
        due = starts_at - offset
        if due > at:
            result.append((int(offset.total_seconds()), due))
    return result


def reminder_id(registration_id: str, offset_seconds: int) -> str:
    return f"{registration_id}|{offset_seconds}"
