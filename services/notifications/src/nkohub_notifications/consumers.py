"""Bus handlers of the notifications service, named after the event they handle.

Queues: ``notifications.meetups`` (meetups, registrations, attendance: one queue so they
are seen in order), ``notifications.consultations``, ``notifications.publishing``,
``notifications.privacy``. Handlers only write the read model and queue messages (unique
idempotency keys), so a redelivered event never produces a second e-mail.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from nkohub_notifications import reminders
from nkohub_notifications.domain import (
    SubscriberStatus,
    Topic,
    new_id,
    now,
)
from nkohub_notifications.notify import Recipient, invitation
from nkohub_notifications.readmodel import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    meetup_of,
    registrations_of,
    remember_meetup,
    remember_registration,
)
from nkohub_notifications.rendering import CHANGED_LABELS
from nkohub_notifications.repository import (
    MESSAGES,
    POSTS,
    REGISTRATIONS,
    REMINDERS,
    SUBSCRIBERS,
)
from nkohub_shared.bus import EventConsumer
from nkohub_shared.contracts import CloudEvent
from nkohub_shared.contracts.common import MeetupSnapshot, Participant
from nkohub_shared.contracts.events import (
    AttendanceRecorded,
    ConsultationBooked,
    ConsultationCancelled,
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_shared.contracts.publishing import (
    GrantDeadlineApproaching,
    PostPublished,
    PostUnpublished,
)
from nkohub_shared.contracts.registry import PersonErased
from nkohub_shared.privacy import normalise_email
from nkohub_shared.storage.idempotent import apply_once

if TYPE_CHECKING:
    from nkohub_notifications.app import NotificationsContext

Ctx = Any  # NotificationsContext (imported lazily: app imports this module)

meetups = EventConsumer[Ctx]("notifications", "meetups", "Meetup, registration, attendance mail")
consultations = EventConsumer[Ctx]("notifications", "consultations", "Consultation mail")
publishing = EventConsumer[Ctx]("notifications", "publishing", "Grant deadlines, blog digest")
privacy = EventConsumer[Ctx]("notifications", "privacy", "Erasure of personal data")

CONSUMERS: list[EventConsumer] = [meetups, consultations, publishing, privacy]

# Changes worth a message to everyone registered (a fixed typo in the description is not).
NOTIFIABLE_CHANGES = {"starts_at", "ends_at", "venue", "title"}


def _recipient(p: Participant) -> Recipient:
    return Recipient(p.person_key, p.name, normalise_email(p.email))


async def _consent_subscription(ctx: NotificationsContext, p: Participant) -> None:
    """A registration with mailing consent subscribes the person to meetup announcements
    (unless they already have a subscription — an unsubscribe is never overridden)."""
    if not p.mailing_consent:
        return
    at = now()
    doc = {
        "_id": new_id(),
        "name": p.name,
        "email": normalise_email(p.email),
        "telegram_chat_id": None,
        "webhook_url": None,
        "locale": "ru",
        "timezone": "Europe/Samara",
        "topics": {Topic.MEETUPS.value: {"email": True, "webhook": False, "telegram": False}},
        "blog_categories": [],
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        "consent_at": at,
        "source": "registration",
        "created_at": at,
        "updated_at": at,
    }
    with contextlib.suppress(DuplicateKeyError):
        await ctx.db[SUBSCRIBERS].update_one(
            {"person_key": p.person_key}, {"$setOnInsert": doc}, upsert=True
        )


async def _registration_mail(
    ctx: NotificationsContext,
    envelope: CloudEvent,
    template: str,
    registration_id: str,
    meetup: MeetupSnapshot,
    participant: Participant,
    *,
    with_invitation: bool = False,
    **context: Any,
) -> None:
    links = ctx.notifier.links
    message = ctx.notifier.email(
        cause=envelope.id,
        recipient=_recipient(participant),
        template=template,
        context={
            "meetup": meetup.model_dump(),
            "cancel_url": links.registration_cancel(registration_id),
            **context,
        },
        attachments=[invitation(meetup)] if with_invitation else [],
        cause_event_id=envelope.id,
        meetup_id=meetup.meetup_id,
        registration_id=registration_id,
    )
    await ctx.notifier.queue([message])


# --- registrations ---------------------------------------------------------------------


@meetups.on(RegistrationConfirmed)
async def registration_confirmed(
    ctx: NotificationsContext, event: RegistrationConfirmed, envelope: CloudEvent
) -> None:
    await _confirmed(ctx, event, envelope, "registration_confirmed")


@meetups.on(RegistrationPromoted)
async def registration_promoted(
    ctx: NotificationsContext, event: RegistrationPromoted, envelope: CloudEvent
) -> None:
    await _confirmed(ctx, event, envelope, "registration_promoted")


async def _confirmed(
    ctx: NotificationsContext,
    event: RegistrationConfirmed | RegistrationPromoted,
    envelope: CloudEvent,
    template: str,
) -> None:
    await remember_meetup(ctx.db, event.meetup)
    await remember_registration(
        ctx.db,
        registration_id=event.registration_id,
        meetup=event.meetup,
        participant=event.participant,
        status=CONFIRMED,
        event_id=envelope.id,
    )
    registration = await ctx.db[REGISTRATIONS].find_one({"_id": event.registration_id})
    if registration is None or registration["status"] != CONFIRMED:
        return  # cancelled meanwhile: no confirmation, no reminders
    await _consent_subscription(ctx, event.participant)
    await reminders.schedule(ctx, event.registration_id, event.meetup, event.participant)
    await _registration_mail(
        ctx,
        envelope,
        template,
        event.registration_id,
        event.meetup,
        event.participant,
        with_invitation=True,
    )


@meetups.on(RegistrationWaitlisted)
async def registration_waitlisted(
    ctx: NotificationsContext, event: RegistrationWaitlisted, envelope: CloudEvent
) -> None:
    await remember_meetup(ctx.db, event.meetup)
    await remember_registration(
        ctx.db,
        registration_id=event.registration_id,
        meetup=event.meetup,
        participant=event.participant,
        status=WAITLISTED,
        event_id=envelope.id,
    )
    await _consent_subscription(ctx, event.participant)
    await _registration_mail(
        ctx,
        envelope,
        "registration_waitlisted",
        event.registration_id,
        event.meetup,
        event.participant,
        position=event.position,
    )


@meetups.on(RegistrationCancelled)
async def registration_cancelled(
    ctx: NotificationsContext, event: RegistrationCancelled, envelope: CloudEvent
) -> None:
    await remember_registration(
        ctx.db,
        registration_id=event.registration_id,
        meetup=event.meetup,
        participant=event.participant,
        status=CANCELLED,
        event_id=envelope.id,
    )
    await reminders.cancel(
        ctx, {"registration_id": event.registration_id}, "registration cancelled"
    )
    await _registration_mail(
        ctx,
        envelope,
        "registration_cancelled",
        event.registration_id,
        event.meetup,
        event.participant,
        cancelled_by=event.cancelled_by,
    )


# --- meetups ---------------------------------------------------------------------------


@meetups.on(MeetupScheduled)
async def meetup_scheduled(
    ctx: NotificationsContext, event: MeetupScheduled, envelope: CloudEvent
) -> None:
    await remember_meetup(ctx.db, event.meetup, "scheduled")
    meetup = event.meetup.model_dump()
    await ctx.notifier.to_followers(
        topic=Topic.MEETUPS,
        template="meetup_announcement",
        cause=envelope.id,
        context_for=lambda _: {"meetup": meetup},
        envelope=envelope,
        meetup_id=event.meetup.meetup_id,
    )


@meetups.on(MeetupUpdated)
async def meetup_updated(
    ctx: NotificationsContext, event: MeetupUpdated, envelope: CloudEvent
) -> None:
    await remember_meetup(ctx.db, event.meetup)
    known = await meetup_of(ctx.db, event.meetup.meetup_id)
    if known is not None and known[0].sequence > event.meetup.sequence:
        return  # a later update already arrived; its mail says the newer truth
    if "starts_at" in event.changed or "ends_at" in event.changed:
        await reminders.reschedule(ctx, event.meetup)
    if not NOTIFIABLE_CHANGES.intersection(event.changed):
        return
    changes = [CHANGED_LABELS.get(c, c) for c in event.changed if c in NOTIFIABLE_CHANGES]
    messages = []
    for reg in await registrations_of(ctx.db, event.meetup.meetup_id, [CONFIRMED, WAITLISTED]):
        confirmed = reg["status"] == CONFIRMED
        messages.append(
            ctx.notifier.email(
                cause=envelope.id,
                recipient=Recipient(reg["person_key"], reg["name"], reg["email"]),
                template="meetup_updated",
                context={
                    "meetup": event.meetup.model_dump(),
                    "changes": changes,
                    "with_invitation": confirmed,
                    "cancel_url": ctx.notifier.links.registration_cancel(reg["_id"]),
                },
                attachments=[invitation(event.meetup)] if confirmed else [],
                cause_event_id=envelope.id,
                meetup_id=event.meetup.meetup_id,
                registration_id=reg["_id"],
            )
        )
    await ctx.notifier.queue(messages)


@meetups.on(MeetupCancelled)
async def meetup_cancelled(
    ctx: NotificationsContext, event: MeetupCancelled, envelope: CloudEvent
) -> None:
    meetup_id = event.meetup.meetup_id
    await remember_meetup(ctx.db, event.meetup, "cancelled")
    await reminders.cancel(ctx, {"meetup_id": meetup_id}, "meetup cancelled")
    messages = []
    for reg in await registrations_of(ctx.db, meetup_id, [CONFIRMED, WAITLISTED]):
        confirmed = reg["status"] == CONFIRMED
        messages.append(
            ctx.notifier.email(
                cause=envelope.id,
                recipient=Recipient(reg["person_key"], reg["name"], reg["email"]),
                template="meetup_cancelled",
                context={"meetup": event.meetup.model_dump(), "reason": event.reason},
                attachments=[invitation(event.meetup, cancelled=True)] if confirmed else [],
                cause_event_id=envelope.id,
                meetup_id=meetup_id,
                registration_id=reg["_id"],
            )
        )
    await ctx.notifier.queue(messages)


@meetups.on(MeetupCompleted)
async def meetup_completed(
    ctx: NotificationsContext, event: MeetupCompleted, envelope: CloudEvent
) -> None:
    await remember_meetup(ctx.db, event.meetup, "completed")
    cursor = ctx.db[REGISTRATIONS].find({"meetup_id": event.meetup.meetup_id, "attended": True})
    messages = [_thanks(ctx, event.meetup, reg) async for reg in cursor]
    await ctx.notifier.queue(messages)


@meetups.on(AttendanceRecorded)
async def attendance_recorded(
    ctx: NotificationsContext, event: AttendanceRecorded, envelope: CloudEvent
) -> None:
    """Mark who came; if the meetup is already completed, thank them now."""
    if event.registration_id:
        registration = await ctx.db[REGISTRATIONS].find_one({"_id": event.registration_id})
    else:
        registration = await ctx.db[REGISTRATIONS].find_one(
            {"meetup_id": event.meetup_id, "person_key": event.person_key}
        )
    if registration is None:
        return  # a walk-in without a registration: we have no address for them
    await apply_once(
        ctx.db[REGISTRATIONS],
        {"_id": registration["_id"]},
        {"$set": {"attended": True}},
        envelope.id,
    )
    known = await meetup_of(ctx.db, event.meetup_id)
    if known is not None and known[1] == "completed":
        await ctx.notifier.queue([_thanks(ctx, known[0], registration)])


def _thanks(ctx: NotificationsContext, meetup: MeetupSnapshot, reg: dict[str, Any]) -> dict:
    """Cause ``meetup:<id>``: whichever of completion and attendance comes last, one mail."""
    return ctx.notifier.email(
        cause=f"meetup:{meetup.meetup_id}",
        recipient=Recipient(reg["person_key"], reg["name"], reg["email"]),
        template="meetup_thanks",
        context={
            "meetup": meetup.model_dump(),
            "feedback_url": ctx.notifier.links.feedback(meetup.meetup_id, reg["_id"]),
        },
        meetup_id=meetup.meetup_id,
        registration_id=reg["_id"],
    )


# --- consultations ---------------------------------------------------------------------


async def _consultation_mail(
    ctx: NotificationsContext,
    event: ConsultationBooked | ConsultationCancelled,
    envelope: CloudEvent,
    template: str,
    *,
    question: str | None = None,
) -> None:
    consultation = {
        "consultation_id": event.consultation_id,
        "specialist": event.specialist.model_dump(),
        "starts_at": event.starts_at,
        "duration_minutes": event.duration_minutes,
        "organization_name": event.organization_name,
        "question": question,
        "contact": {"name": event.contact.name, "email": event.contact.email},
    }
    booked = isinstance(event, ConsultationBooked)
    messages = [
        ctx.notifier.email(
            cause=envelope.id,
            recipient=_recipient(event.contact),
            template=template,
            context={
                "consultation": consultation,
                "for_specialist": False,
                "cancel_url": ctx.notifier.links.consultation_cancel(event.consultation_id)
                if booked
                else None,
            },
            cause_event_id=envelope.id,
            meetup_id=event.meetup_id,
        )
    ]
    if event.specialist.email:
        messages.append(
            ctx.notifier.email(
                cause=envelope.id,
                recipient=Recipient.of(event.specialist.name, event.specialist.email),
                template=template,
                context={"consultation": consultation, "for_specialist": True, "cancel_url": None},
                cause_event_id=envelope.id,
                meetup_id=event.meetup_id,
            )
        )
    await ctx.notifier.queue(messages)


@consultations.on(ConsultationBooked)
async def consultation_booked(
    ctx: NotificationsContext, event: ConsultationBooked, envelope: CloudEvent
) -> None:
    await _consultation_mail(ctx, event, envelope, "consultation_booked", question=event.question)


@consultations.on(ConsultationCancelled)
async def consultation_cancelled(
    ctx: NotificationsContext, event: ConsultationCancelled, envelope: CloudEvent
) -> None:
    await _consultation_mail(ctx, event, envelope, "consultation_cancelled")


# --- publishing ------------------------------------------------------------------------


@publishing.on(GrantDeadlineApproaching)
async def grant_deadline_approaching(
    ctx: NotificationsContext, event: GrantDeadlineApproaching, envelope: CloudEvent
) -> None:
    grant = event.model_dump()
    await ctx.notifier.to_followers(
        topic=Topic.GRANTS,
        template="grant_deadline",
        cause=envelope.id,
        context_for=lambda sub: {
            "grant": grant,
            "timezone": sub.get("timezone") or "Europe/Samara",
        },
        envelope=envelope,
    )


@publishing.on(PostPublished)
async def post_published(
    ctx: NotificationsContext, event: PostPublished, envelope: CloudEvent
) -> None:
    """Kept for the daily digest; partner webhooks get the event at once."""
    await apply_once(
        ctx.db[POSTS],
        {"_id": event.post_id},
        {
            "$set": {
                "title": event.title,
                "category": event.category,
                "url": event.url,
                "excerpt": event.excerpt,
                "published_at": event.published_at,
            }
        },
        envelope.id,
        upsert=True,
    )
    await ctx.notifier.other_channels(Topic.BLOG, "blog_post", envelope, lambda _: None, None)


@publishing.on(PostUnpublished)
async def post_unpublished(
    ctx: NotificationsContext, event: PostUnpublished, envelope: CloudEvent
) -> None:
    await ctx.db[POSTS].delete_one({"_id": event.post_id})


# --- privacy ---------------------------------------------------------------------------


@privacy.on(PersonErased)
async def person_erased(
    ctx: NotificationsContext, event: PersonErased, envelope: CloudEvent
) -> None:
    """Remove the person's recipient data, registrations, reminders and message history."""
    keys = {"$in": event.person_keys}
    await ctx.db[SUBSCRIBERS].delete_many({"person_key": keys})
    await ctx.db[REGISTRATIONS].delete_many({"person_key": keys})
    await ctx.db[REMINDERS].delete_many({"person_key": keys})
    await ctx.db[MESSAGES].delete_many({"recipient_key": keys})
