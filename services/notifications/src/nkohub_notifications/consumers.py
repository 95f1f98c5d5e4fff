"""Bus handlers of the notifications service, named after the event they handle: each
decodes nothing more than the event and calls a use case.

Queues: ``notifications.meetups`` (meetups, registrations, attendance),
``notifications.consultations``, ``notifications.publishing``, ``notifications.privacy``,
``notifications.registry`` (the organizations read model, for mailing segments),
``notifications.alerts`` (alerts to staff: new self-registered NGOs, questions, waitlists,
messages failed for good).
The use cases only write the read model and queue messages under unique idempotency
keys, so a redelivered event never produces a second e-mail.
"""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import (
    AttendanceRecorded,
    ConsultationBooked,
    ConsultationCancelled,
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
    QuestionSubmitted,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
    SpeakersListed,
)
from nkohub_contracts.notifications import MessageFailed
from nkohub_contracts.publishing import (
    GrantDeadlineApproaching,
    PostPublished,
    PostUnpublished,
)
from nkohub_contracts.registry import ErasureRequested, PersonErased, ProposalSubmitted
from nkohub_notifications.context import NotificationsContext
from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.readmodels import follow_organizations

Ctx = NotificationsContext

meetups = EventConsumer[Ctx]("notifications", "meetups", "Meetup, registration, attendance mail")
consultations = EventConsumer[Ctx]("notifications", "consultations", "Consultation mail")
publishing = EventConsumer[Ctx]("notifications", "publishing", "Grant deadlines, blog digest")
privacy = EventConsumer[Ctx]("notifications", "privacy", "Erasure of personal data")
registry = EventConsumer[Ctx]("notifications", "registry", "Organizations for mailing segments")

alerts = EventConsumer[Ctx]("notifications", "alerts", "Alerts to staff")

CONSUMERS: list[EventConsumer[Ctx]] = [
    meetups,
    consultations,
    publishing,
    privacy,
    registry,
    alerts,
]

follow_organizations(registry, lambda ctx: ctx.organization_read_model)


@meetups.on(SpeakersListed)
async def keep_speakers(ctx: Ctx, event: SpeakersListed, envelope: CloudEvent) -> None:
    await ctx.speakers.listed(event, envelope)


@meetups.on(RegistrationConfirmed)
async def registration_confirmed(
    ctx: Ctx, event: RegistrationConfirmed, envelope: CloudEvent
) -> None:
    await ctx.meetups.registration_confirmed(event, envelope)


@meetups.on(RegistrationPromoted)
async def registration_promoted(
    ctx: Ctx, event: RegistrationPromoted, envelope: CloudEvent
) -> None:
    await ctx.meetups.registration_confirmed(event, envelope)


@meetups.on(RegistrationWaitlisted)
async def registration_waitlisted(
    ctx: Ctx, event: RegistrationWaitlisted, envelope: CloudEvent
) -> None:
    await ctx.meetups.registration_waitlisted(event, envelope)


@meetups.on(RegistrationCancelled)
async def registration_cancelled(
    ctx: Ctx, event: RegistrationCancelled, envelope: CloudEvent
) -> None:
    await ctx.meetups.registration_cancelled(event, envelope)


@meetups.on(MeetupScheduled)
async def meetup_scheduled(ctx: Ctx, event: MeetupScheduled, envelope: CloudEvent) -> None:
    await ctx.meetups.meetup_scheduled(event, envelope)


@meetups.on(MeetupUpdated)
async def meetup_updated(ctx: Ctx, event: MeetupUpdated, envelope: CloudEvent) -> None:
    await ctx.meetups.meetup_updated(event, envelope)


@meetups.on(MeetupCancelled)
async def meetup_cancelled(ctx: Ctx, event: MeetupCancelled, envelope: CloudEvent) -> None:
    await ctx.meetups.meetup_cancelled(event, envelope)


@meetups.on(MeetupCompleted)
async def meetup_completed(ctx: Ctx, event: MeetupCompleted, envelope: CloudEvent) -> None:
    await ctx.meetups.meetup_completed(event, envelope)


@meetups.on(AttendanceRecorded)
async def attendance_recorded(ctx: Ctx, event: AttendanceRecorded, envelope: CloudEvent) -> None:
    await ctx.meetups.attendance_recorded(event, envelope)


@consultations.on(ConsultationBooked)
async def consultation_booked(ctx: Ctx, event: ConsultationBooked, envelope: CloudEvent) -> None:
    await ctx.consultations.booked(event, envelope)
    await ctx.specialists.booked(event, envelope)


@consultations.on(ConsultationCancelled)
async def consultation_cancelled(
    ctx: Ctx, event: ConsultationCancelled, envelope: CloudEvent
) -> None:
    await ctx.consultations.cancelled(event, envelope)
    await ctx.specialists.cancelled(event)


@publishing.on(GrantDeadlineApproaching)
async def grant_deadline_approaching(
    ctx: Ctx, event: GrantDeadlineApproaching, envelope: CloudEvent
) -> None:
    await ctx.grants.deadline_approaching(event, envelope)


@publishing.on(PostPublished)
async def post_published(ctx: Ctx, event: PostPublished, envelope: CloudEvent) -> None:
    await ctx.digests.post_published(event, envelope)


@publishing.on(PostUnpublished)
async def post_unpublished(ctx: Ctx, event: PostUnpublished, envelope: CloudEvent) -> None:
    await ctx.digests.post_unpublished(event.post_id)


@privacy.on(PersonErased)
async def person_erased(ctx: Ctx, event: PersonErased, envelope: CloudEvent) -> None:
    await ctx.erasure.erase(event.person_keys, envelope.time)


@alerts.on(QuestionSubmitted)
async def alert_question(ctx: Ctx, event: QuestionSubmitted, envelope: CloudEvent) -> None:
    await ctx.alerts.question_submitted(event, envelope)


@alerts.on(RegistrationWaitlisted)
async def alert_waitlist(ctx: Ctx, event: RegistrationWaitlisted, envelope: CloudEvent) -> None:
    await ctx.alerts.waitlisted(event, envelope)


@alerts.on(ProposalSubmitted)
async def alert_new_organization(ctx: Ctx, event: ProposalSubmitted, envelope: CloudEvent) -> None:
    await ctx.alerts.proposal_submitted(event, envelope)


@alerts.on(MessageFailed)
async def alert_message_failed(ctx: Ctx, event: MessageFailed, envelope: CloudEvent) -> None:
    await ctx.alerts.message_failed(event, envelope)


@privacy.on(ErasureRequested)
async def erasure_requested(ctx: Ctx, event: ErasureRequested, envelope: CloudEvent) -> None:
    await ctx.erasure_requests.requested(event, envelope)
