"""Subscribers and who may be mailed.

A subscriber follows topics on channels. Marketing-like mail (announcements, grants, the
blog digest) needs a confirmed subscription with mailing consent: a confirmed double
opt-in (from the public form or from a registration's mailing consent) or staff attesting
a paper form. An unsubscribe is final until the person confirms a subscription again.
Transactional mail (about one's own registration or consultation) is always sent.

A confirmation request is *pending* (``pending_topics``) from the request until it is
confirmed or the person unsubscribes; a confirmation link works only while one is, so an
old link cannot subscribe again someone who has since unsubscribed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import Channel
from nkohub_shared.ids import new_id
from nkohub_shared.privacy import normalise_email, person_key
from nkohub_shared.text import Email, one_line

DEFAULT_TIMEZONE = "Europe/Samara"


class Topic(StrEnum):
    MEETUPS = "meetups"  # meetup announcements
    GRANTS = "grants"  # grant news and deadlines
    BLOG = "blog"  # daily digest of new posts
    MAILINGS = "mailings"  # mailings the library's staff write


TOPIC_LABELS = {
    Topic.MEETUPS: "Анонсы встреч «Открытое общение»",
    Topic.GRANTS: "Гранты: конкурсы и сроки подачи заявок",
    Topic.BLOG: "Новое в блоге «Проект +» (одно письмо в день)",
    Topic.MAILINGS: "Рассылки библиотеки",
}


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # waits for the confirmation link
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    CONTACT = "contact"  # an address a mailing reached by contact (an NGO's public one)


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Samara)") from None
    return value


def _name(value: str) -> str:
    value = one_line(value)
    if not value:
        raise ValueError("a name needs at least one visible character")
    return value


# Characters that could make a name a link or markup in a mail client.
_LINKISH = re.compile(r"[<>/\\:@&#%=?]|www\.", re.IGNORECASE)
PUBLIC_NAME_MAX = 100


def _public_name(value: str) -> str:
    value = _name(value)
    if _LINKISH.search(value):
        raise ValueError("имя пишется без ссылок и разметки (без < > / : @ & # % = ?)")
    return value


# A person's name on one line (no CR/LF or other control characters: it goes in To:).
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_name)]
# A name typed by anyone on the public form: also short, and nothing link- or markup-like.
PublicName = Annotated[
    str, Field(min_length=1, max_length=PUBLIC_NAME_MAX), AfterValidator(_public_name)
]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(known_zone)]
TelegramChatId = Annotated[str, Field(pattern=r"^-?\d{1,20}$")]


class TopicChoice(BaseModel):
    """Which channels a subscriber wants a topic on."""

    model_config = ConfigDict(extra="forbid")

    email: bool = True
    webhook: bool = False
    telegram: bool = False


class SubscriberFields(BaseModel):
    """What staff may set on a recipient (and, partly, the public on subscribing)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    email: Email
    telegram_chat_id: TelegramChatId | None = None
    webhook_url: HttpUrl | None = None
    locale: str = Field(default="ru", pattern=r"^(ru)$")
    timezone: TimeZone = DEFAULT_TIMEZONE
    topics: dict[Topic, TopicChoice] = Field(default_factory=dict)
    blog_categories: list[str] = Field(
        default_factory=list, max_length=50, description="empty: every category"
    )


def topics_document(topics: dict[Topic, TopicChoice]) -> dict[str, dict[str, bool]]:
    """Whole choices (defaults included), keyed by the topic's value."""
    return {t.value: c.model_dump() for t, c in topics.items()}


def subscriber_document(
    fields: SubscriberFields,
    *,
    status: SubscriberStatus,
    source: str,
    consent: bool,
    at: datetime | None = None,
) -> dict[str, Any]:
    at = at or now()
    return {
        "_id": new_id(),
        "person_key": person_key(fields.email),
        "name": fields.name,
        "email": normalise_email(fields.email),
        "telegram_chat_id": fields.telegram_chat_id,
        "webhook_url": str(fields.webhook_url) if fields.webhook_url else None,
        "locale": fields.locale,
        "timezone": fields.timezone,
        "topics": topics_document(fields.topics),
        "blog_categories": fields.blog_categories,
        "status": status.value,
        "mailing_consent": consent,
        "consent_at": at if consent else None,
        "consent_log": [
            consent_entry("attested", source, list(topics_document(fields.topics)), at=at)
        ]
        if consent
        else [],
        "source": source,
        "created_at": at,
        "updated_at": at,
    }


def _unsubscribed_recipient(
    name: str, email: str, status: SubscriberStatus, source: str, at: datetime | None
) -> dict[str, Any]:
    """A recipient with no topics and no consent yet (the two kinds below)."""
    at = at or now()
    return {
        "_id": new_id(),
        "name": one_line(name)[:200],
        "email": normalise_email(email),
        "telegram_chat_id": None,
        "webhook_url": None,
        "locale": "ru",
        "timezone": DEFAULT_TIMEZONE,
        "topics": {},
        "blog_categories": [],
        "status": status.value,
        "mailing_consent": False,
        "consent_at": None,
        "source": source,
        "created_at": at,
        "updated_at": at,
    }


def registration_request(name: str, email: str, *, at: datetime | None = None) -> dict[str, Any]:
    """The subscriber a registration with mailing consent creates: *pending*, asking for
    meetup announcements by e-mail, until the person confirms the link mailed to them
    (double opt-in, as the public form). Only ever inserted where the person has no
    subscriber; the insert's filter sets ``person_key``."""
    return {
        **_unsubscribed_recipient(name, email, SubscriberStatus.PENDING, "registration", at),
        **pending_choice([Topic.MEETUPS], []),
    }


def contact_document(name: str, email: str, *, at: datetime | None = None) -> dict[str, Any]:
    """The recipient a mailing creates for an address it reaches by contact (an NGO's
    public address, a registrant): no subscription, no consent, but an id for the
    unsubscribe link and the preference centre. Only inserted where the person has no
    subscriber; the insert's filter sets ``person_key``."""
    return _unsubscribed_recipient(name, email, SubscriberStatus.CONTACT, "mailing", at)


def pending_choice(topics: list[Topic], blog_categories: list[str]) -> dict[str, Any]:
    """What a subscription request asks for; applied only once the link is confirmed."""
    return {
        "pending_topics": {t.value: TopicChoice().model_dump() for t in topics},
        "pending_categories": blog_categories,
    }


PENDING_FIELDS = ("pending_topics", "pending_categories")


def renewed_choice(subscriber: dict[str, Any]) -> dict[str, Any]:
    """A request asked again from an expired or used link: the pending one, else the
    topics they had (an unsubscribe keeps them), else meetup announcements."""
    if subscriber.get("pending_topics"):
        return {k: subscriber.get(k) for k in PENDING_FIELDS}
    topics = subscriber.get("topics") or {Topic.MEETUPS.value: TopicChoice().model_dump()}
    return {"pending_topics": topics, "pending_categories": subscriber.get("blog_categories")}


class ConfirmVerdict(StrEnum):
    CONFIRM = "confirm"  # a request is pending: the link confirms it
    ALREADY = "already"  # confirmed, nothing pending (e.g. the link clicked twice)
    USED = "used"  # nothing pending: confirmed and since unsubscribed, or withdrawn


def confirm_verdict(subscriber: dict[str, Any]) -> ConfirmVerdict:
    if subscriber.get("pending_topics"):
        return ConfirmVerdict.CONFIRM
    if subscriber.get("status") == SubscriberStatus.CONFIRMED:
        return ConfirmVerdict.ALREADY
    return ConfirmVerdict.USED


def resend_cutoff(at: datetime, hours: float) -> datetime:
    """A confirmation e-mail sent before this moment may be sent again."""
    return at - timedelta(hours=hours)


def confirmation(subscriber: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
    """The fields a confirmed double opt-in sets: consent now, the pending topics added."""
    at = at or now()
    topics = subscriber.get("pending_topics") or subscriber.get("topics") or {}
    fields: dict[str, Any] = {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        "consent_at": at,
        "topics": {**(subscriber.get("topics") or {}), **topics},
        "updated_at": at,
    }
    categories = subscriber.get("pending_categories")
    if categories is not None:
        fields["blog_categories"] = categories
    return fields


def unsubscription(*, at: datetime | None = None) -> dict[str, Any]:
    at = at or now()
    return {
        "status": SubscriberStatus.UNSUBSCRIBED.value,
        "mailing_consent": False,
        "unsubscribed_at": at,
        "updated_at": at,
    }


CONSENT_LOG_KEEP = 50


def consent_entry(
    action: str, source: str, topics: list[str] | None = None, *, at: datetime | None = None
) -> dict[str, Any]:
    """One line of a subscriber's consent log: what they did, when, and where
    (``action``: subscribed, confirmed, topics, unsubscribed_topic, unsubscribed)."""
    return {"at": at or now(), "action": action, "source": source, "topics": topics or []}


def topic_refusal(subscriber: dict[str, Any], topic: Topic, *, at: datetime | None = None) -> dict:
    """The fields that stop ``topic`` on every channel, the others kept."""
    topics = dict(subscriber.get("topics") or {})
    topics[topic.value] = {channel.value: False for channel in Channel}
    return {"topics": topics, "updated_at": at or now()}


def chosen_topics(subscriber: dict[str, Any]) -> set[Topic]:
    """The topics a subscriber receives by e-mail now (for the preference centre)."""
    if subscriber.get("status") != SubscriberStatus.CONFIRMED:
        return set()
    topics = subscriber.get("topics") or {}
    return {t for t in Topic if (topics.get(t.value) or {}).get("email")}


def preference_change(
    subscriber: dict[str, Any], chosen: set[Topic], *, at: datetime | None = None
) -> dict[str, Any]:
    """The fields the preference centre sets. Its link reached the person at this address,
    so choosing topics there is their consent (a confirmed subscription, dated); choosing
    none is an unsubscribe from everything."""
    at = at or now()
    if not chosen:
        return unsubscription(at=at)
    topics = dict(subscriber.get("topics") or {})
    for topic in Topic:
        choice = dict(topics.get(topic.value) or TopicChoice(email=False).model_dump())
        choice["email"] = topic in chosen
        topics[topic.value] = choice
    return {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        "consent_at": at,
        "consent_source": "preference_centre",
        "topics": topics,
        "updated_at": at,
    }


ADDRESS_FIELD = {
    Channel.EMAIL: "email",
    Channel.WEBHOOK: "webhook_url",
    Channel.TELEGRAM: "telegram_chat_id",
}


def follows(subscriber: dict[str, Any], topic: Topic, channel: Channel) -> bool:
    """Whether marketing-like mail of ``topic`` may go to them on ``channel``: confirmed,
    consented, opted in for this channel, and an address for it."""
    if subscriber.get("status") != SubscriberStatus.CONFIRMED or not subscriber.get(
        "mailing_consent"
    ):
        return False
    choice = (subscriber.get("topics") or {}).get(topic.value) or {}
    if not choice.get(channel.value):
        return False
    return bool(subscriber.get(ADDRESS_FIELD[channel]))


def timezone_of(subscriber: dict[str, Any]) -> str:
    """The zone a recipient reads times in (deadlines, digests)."""
    return subscriber.get("timezone") or DEFAULT_TIMEZONE


class SubscriberChanges(BaseModel):
    """What staff may change on a recipient (only the fields sent change)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    telegram_chat_id: TelegramChatId | None = None
    webhook_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    timezone: TimeZone | None = None
    topics: dict[Topic, TopicChoice] | None = None
    blog_categories: list[str] | None = Field(default=None, max_length=50)
    mailing_consent: bool | None = None
    status: SubscriberStatus | None = None

    def fields(self, *, at: datetime | None = None) -> dict[str, Any]:
        """The fields to set: topics as whole choices, consent dated when given."""
        at = at or now()
        changes = self.model_dump(exclude_unset=True)
        if self.topics is not None:
            changes["topics"] = topics_document(self.topics)
        if changes.get("mailing_consent"):
            changes["consent_at"] = at
        changes["updated_at"] = at
        return changes


def in_their_zone(context: dict[str, Any], subscriber: dict[str, Any]) -> dict[str, Any]:
    """A template context whose times read in the recipient's zone (grant deadlines)."""
    return {**context, "timezone": timezone_of(subscriber)}


class SubscribeRequest(BaseModel):
    """The public subscription request (the API's JSON and the form's fields)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PublicName
    email: Email
    topics: list[Topic] = Field(min_length=1, max_length=len(Topic))
    blog_categories: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    timezone: TimeZone = DEFAULT_TIMEZONE
    consent: Literal[True] = Field(description="consent to receive the mailing (152-ФЗ)")
