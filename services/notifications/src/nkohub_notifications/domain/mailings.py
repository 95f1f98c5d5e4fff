"""Mailings staff write: the draft, its segment, who of the segment may be mailed, and
how a mailing moves from draft to sent.

``draft → scheduled → sending → sent``; a scheduled one may be cancelled (``cancelled``)
or changed back to a draft. ``sending`` covers the fan-out (one message per recipient,
under the idempotency key ``mailing:<id>|<person key>|mailing``, so a fan-out run twice
after a crash queues nobody twice) and the delivery of those messages; the mailing is
``sent`` once none of them is queued or being sent.

Who of a segment is mailed (``verdict``) depends on how the segment knows them:

- by **consent** (a topic's subscribers, the people of NGOs, a hand-picked list): a
  confirmed subscription with mailing consent is needed — anyone else is left out as
  ``no_consent``;
- by **contact** (an NGO's public contact address from the registry, a meetup's
  registrants writing about the meetup they registered for): the address may be mailed
  unless its owner unsubscribed;

and in both cases anyone who unsubscribed from everything, or from the mailing's topic,
is left out as ``unsubscribed``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nkohub_notifications.domain.attachments import MAX_ATTACHMENTS, FileId
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.subscribers import SubscriberStatus, Topic
from nkohub_shared.ids import new_id
from nkohub_shared.text import normalise_email, one_line

TEMPLATE = "mailing"
SUBJECT_MAX = 200
BODY_MAX = 50_000
LIST_MAX = 5_000
LEASE = timedelta(minutes=2)  # a fan-out whose process died is taken over after this


class MailingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


EDITABLE = (MailingStatus.DRAFT, MailingStatus.SCHEDULED)


class SegmentKind(StrEnum):
    ORGANIZATIONS = "organizations"  # active NGOs: their public contact addresses
    ORGANIZATION_PEOPLE = "organization_people"  # active NGOs: their people who consented
    MEETUP_REGISTRANTS = "meetup_registrants"
    TOPIC = "topic"  # a topic's subscribers
    LIST = "list"  # hand-picked: addresses or recipient ids


class RegistrantStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CAME = "came"
    NO_SHOW = "no_show"  # confirmed, the meetup completed, not checked in


class Basis(StrEnum):
    CONSENT = "consent"
    CONTACT = "contact"


class Verdict(StrEnum):
    INCLUDED = "included"
    NO_CONSENT = "no_consent"
    UNSUBSCRIBED = "unsubscribed"
    NO_ADDRESS = "no_address"  # an NGO without a public e-mail address


def audience_counts(verdicts: list[Verdict]) -> dict[str, int]:
    """How many of a segment are mailed, and how many are left out and why."""
    return {v.value: sum(1 for x in verdicts if x is v) for v in Verdict}


ListEntry = Annotated[str, Field(min_length=1, max_length=254)]


class Segment(BaseModel):
    """Who a mailing goes to. Which fields count depends on ``kind``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: SegmentKind
    activity_areas: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="organizations, organization_people: NGOs with any of these areas",
    )
    never_came: bool = Field(
        default=False,
        description="organizations, organization_people: only NGOs never seen at a meetup",
    )
    meetup_id: str | None = Field(default=None, max_length=64, description="meetup_registrants")
    statuses: list[RegistrantStatus] = Field(
        default_factory=list, max_length=4, description="meetup_registrants: at least one"
    )
    topic: Topic | None = Field(default=None, description="topic: whose subscribers")
    recipients: list[ListEntry] = Field(
        default_factory=list,
        max_length=LIST_MAX,
        description="list: e-mail addresses or recipient ids",
    )

    @model_validator(mode="after")
    def _complete(self) -> Segment:
        for entry in self.recipients:
            if "@" in entry:
                try:
                    normalise_email(entry)
                except ValueError:
                    raise ValueError(f"not an e-mail address: {entry[:80]!r}") from None
        kind = self.kind
        if kind is SegmentKind.MEETUP_REGISTRANTS and not (self.meetup_id and self.statuses):
            raise ValueError("meetup_registrants needs meetup_id and at least one of statuses")
        if kind is SegmentKind.TOPIC and self.topic is None:
            raise ValueError("a topic segment needs topic")
        if kind is SegmentKind.LIST and not self.recipients:
            raise ValueError("a list segment needs at least one recipient")
        return self

    @property
    def basis(self) -> Basis:
        if self.kind in (SegmentKind.ORGANIZATIONS, SegmentKind.MEETUP_REGISTRANTS):
            return Basis.CONTACT
        return Basis.CONSENT

    def unsubscribe_topic(self) -> Topic:
        """The topic a recipient of this segment unsubscribes from in one click."""
        if self.kind is SegmentKind.TOPIC and self.topic is not None:
            return self.topic
        return Topic.MAILINGS


class MailingDraft(BaseModel):
    """What staff write: the subject and the body in Markdown, and the segment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown")
    segment: Segment
    attachments: list[FileId] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="ids of the publishing service's files (PDFs, images)",
    )


class MailingChanges(BaseModel):
    """A change to a draft or a scheduled mailing (only the fields sent change)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str | None = Field(default=None, min_length=1, max_length=SUBJECT_MAX)
    body: str | None = Field(default=None, min_length=1, max_length=BODY_MAX)
    segment: Segment | None = None
    attachments: list[FileId] | None = Field(default=None, max_length=MAX_ATTACHMENTS)


def verdict(
    subscriber: dict[str, Any] | None, topic: Topic, basis: Basis, *, follower: bool = False
) -> Verdict:
    """Whether one person of a segment is mailed, or why not. ``follower``: the segment
    is a topic's subscribers, so the topic itself must be chosen (not only not refused)."""
    if subscriber is not None:
        if subscriber.get("status") == SubscriberStatus.UNSUBSCRIBED:
            return Verdict.UNSUBSCRIBED
        choice = (subscriber.get("topics") or {}).get(topic.value)
        if choice is not None and not choice.get("email"):
            return Verdict.UNSUBSCRIBED  # they said no to this topic by e-mail
        if follower and not choice:
            return Verdict.NO_CONSENT
    if basis is Basis.CONTACT:
        return Verdict.INCLUDED
    consented = (
        subscriber is not None
        and subscriber.get("status") == SubscriberStatus.CONFIRMED
        and bool(subscriber.get("mailing_consent"))
    )
    return Verdict.INCLUDED if consented else Verdict.NO_CONSENT


def registrant_matches(
    registration: dict[str, Any], statuses: list[RegistrantStatus], meetup_completed: bool
) -> bool:
    """Whether a registration (of the read model) is in one of the wanted states."""
    status = registration.get("status")
    attended = bool(registration.get("attended"))
    for wanted in statuses:
        if wanted is RegistrantStatus.CONFIRMED and status == "confirmed":
            return True
        if wanted is RegistrantStatus.WAITLISTED and status == "waitlisted":
            return True
        if wanted is RegistrantStatus.CAME and attended:
            return True
        if (
            wanted is RegistrantStatus.NO_SHOW
            and meetup_completed
            and status == "confirmed"
            and not attended
        ):
            return True
    return False


def mailing_document(draft: MailingDraft, *, author: str, at: datetime | None = None) -> dict:
    at = at or now()
    return {
        "_id": new_id(),
        "subject": one_line(draft.subject),
        "body": draft.body,
        "segment": draft.segment.model_dump(mode="json"),
        "topic": draft.segment.unsubscribe_topic().value,
        "attachments": list(dict.fromkeys(draft.attachments)),
        "attachment_copies": [],
        "status": MailingStatus.DRAFT.value,
        "created_by": author,
        "created_at": at,
        "updated_at": at,
        "send_at": None,
        "fanned_out": False,
        "counts": None,
    }


def changed_fields(changes: MailingChanges, *, at: datetime | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"updated_at": at or now()}
    if changes.subject is not None:
        fields["subject"] = one_line(changes.subject)
    if changes.body is not None:
        fields["body"] = changes.body
    if changes.segment is not None:
        fields["segment"] = changes.segment.model_dump(mode="json")
        fields["topic"] = changes.segment.unsubscribe_topic().value
    if changes.attachments is not None:
        fields["attachments"] = list(dict.fromkeys(changes.attachments))
    return fields


def message_cause(mailing_id: str) -> str:
    """The cause of every message of a mailing: one message per recipient, ever."""
    return f"mailing:{mailing_id}"


def test_cause(mailing_id: str) -> str:
    """A test send's cause is new every time (staff may test again after an edit)."""
    return f"mailing-test:{mailing_id}:{new_id()}"


def progress(counts_by_status: dict[str, int]) -> dict[str, int]:
    """The mailing's messages by status, every status named."""
    names = ("queued", "sending", "sent", "failed", "suppressed")
    return {name: int(counts_by_status.get(name, 0)) for name in names}


def finished(progress_counts: dict[str, int]) -> bool:
    """Every message of a fanned-out mailing reached its end."""
    return progress_counts["queued"] == 0 and progress_counts["sending"] == 0
