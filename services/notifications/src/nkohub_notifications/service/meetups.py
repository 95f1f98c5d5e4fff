"""Mail about meetups and registrations, from the events service's events: the read model
first (who is registered for what), then the messages (unique keys: a redelivered event
queues nothing twice)."""

from __future__ import annotations

from typing import Any

from nkohub_contracts import CloudEvent
from nkohub_contracts.common import MeetupSnapshot, Participant
from nkohub_contracts.events import (
    AttendanceRecorded,
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_contracts.vocabulary import meetup_changes_to_tell
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.doorcode import door_code_qr
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.readmodel import REGISTERED, MeetupState, RegistrationState
from nkohub_notifications.domain.subscribers import Topic
from nkohub_notifications.repository import (
    MeetupRepository,
    OrganizationRepository,
    RegistrationRepository,
)
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.messages import Notifier, invitation
from nkohub_notifications.service.reminders import Reminders
from nkohub_notifications.service.subscriptions import Subscriptions
from nkohub_shared.privacy import normalise_email


def _recipient(p: Participant) -> Recipient:
    return Recipient(p.person_key, p.name, normalise_email(p.email))


def _registered(reg: dict[str, Any]) -> Recipient:
    return Recipient(reg["person_key"], reg["name"], reg["email"])


class MeetupMail:
    def __init__(
        self,
        meetups: MeetupRepository,
        registrations: RegistrationRepository,
        organizations: OrganizationRepository,
        notifier: Notifier,
        reminders: Reminders,
        subscriptions: Subscriptions,
        erasure: Erasure,
    ) -> None:
        self._meetups = meetups
        self._registrations = registrations
        self._organizations = organizations
        self._notifier = notifier
        self._reminders = reminders
        self._subscriptions = subscriptions
        self._erasure = erasure

    async def _forgotten(self, envelope: CloudEvent, person_key: str) -> bool:
        """An event about someone erased since it was written: it changes nothing."""
        return await self._erasure.forgotten(envelope.time, person_key)

    # --- registrations -------------------------------------------------------------------

    async def registration_confirmed(
        self, event: RegistrationConfirmed | RegistrationPromoted, envelope: CloudEvent
    ) -> None:
        """Confirmation (or promotion) with the invitation; reminders scheduled."""
        if await self._forgotten(envelope, event.participant.person_key):
            return
        template = (
            "registration_promoted"
            if isinstance(event, RegistrationPromoted)
            else "registration_confirmed"
        )
        newest = await self._remember(
            event.registration_id,
            event.meetup,
            event.participant,
            RegistrationState.CONFIRMED,
            envelope,
        )
        registration = await self._registrations.get(event.registration_id)
        if registration is None or registration["status"] != RegistrationState.CONFIRMED:
            return  # cancelled meanwhile: no confirmation, no reminders
        await self._subscriptions.consent_of(event.participant, cause=envelope.id)
        await self._reminders.schedule(event.registration_id, newest, event.participant)
        await self._registration_mail(
            envelope,
            template,
            event.registration_id,
            event.meetup,
            event.participant,
            with_invitation=True,
            extra_attachments=[door_code_qr(event.short_code)] if event.short_code else [],
            question_url=self._notifier.links.ask_question(
                event.meetup.meetup_id, event.registration_id
            ),
            short_code=event.short_code,
        )

    async def registration_waitlisted(
        self, event: RegistrationWaitlisted, envelope: CloudEvent
    ) -> None:
        if await self._forgotten(envelope, event.participant.person_key):
            return
        await self._remember(
            event.registration_id,
            event.meetup,
            event.participant,
            RegistrationState.WAITLISTED,
            envelope,
        )
        await self._subscriptions.consent_of(event.participant, cause=envelope.id)
        await self._registration_mail(
            envelope,
            "registration_waitlisted",
            event.registration_id,
            event.meetup,
            event.participant,
            position=event.position,
        )

    async def registration_cancelled(
        self, event: RegistrationCancelled, envelope: CloudEvent
    ) -> None:
        if await self._forgotten(envelope, event.participant.person_key):
            return
        await self._registrations.remember(
            registration_id=event.registration_id,
            meetup=event.meetup,
            participant=event.participant,
            state=RegistrationState.CANCELLED,
            event_id=envelope.id,
            at=now(),
        )
        await self._reminders.cancel_registration(event.registration_id, "registration cancelled")
        await self._registration_mail(
            envelope,
            "registration_cancelled",
            event.registration_id,
            event.meetup,
            event.participant,
            cancelled_by=event.cancelled_by,
        )

    async def _remember(
        self,
        registration_id: str,
        meetup: MeetupSnapshot,
        participant: Participant,
        state: RegistrationState,
        envelope: CloudEvent,
    ) -> MeetupSnapshot:
        """Record the meetup and the registration; the newest snapshot known."""
        await self._meetups.remember(meetup, now())
        await self._registrations.remember(
            registration_id=registration_id,
            meetup=meetup,
            participant=participant,
            state=state,
            event_id=envelope.id,
            at=now(),
        )
        known = await self._meetups.get(meetup.meetup_id)
        return known.snapshot if known is not None else meetup

    async def _registration_mail(
        self,
        envelope: CloudEvent,
        template: str,
        registration_id: str,
        meetup: MeetupSnapshot,
        participant: Participant,
        *,
        with_invitation: bool = False,
        extra_attachments: list[dict[str, str]] | None = None,
        **context: Any,
    ) -> None:
        message = self._notifier.email(
            cause=envelope.id,
            recipient=_recipient(participant),
            template=template,
            context={
                "meetup": meetup.model_dump(),
                "cancel_url": self._notifier.links.registration_cancel(registration_id),
                **context,
            },
            attachments=([invitation(meetup)] if with_invitation else [])
            + (extra_attachments or []),
            cause_event_id=envelope.id,
            meetup_id=meetup.meetup_id,
            registration_id=registration_id,
        )
        await self._notifier.queue([message])

    # --- meetups -------------------------------------------------------------------------

    async def meetup_scheduled(self, event: MeetupScheduled, envelope: CloudEvent) -> None:
        """Announcement to the followers of «встречи» (e-mail; webhook copies)."""
        await self._meetups.remember(event.meetup, now(), MeetupState.SCHEDULED)
        meetup = event.meetup.model_dump()
        await self._notifier.to_followers(
            topic=Topic.MEETUPS,
            template="meetup_announcement",
            cause=envelope.id,
            context_for=lambda _: {"meetup": meetup},
            envelope=envelope,
            meetup_id=event.meetup.meetup_id,
        )

    async def meetup_updated(self, event: MeetupUpdated, envelope: CloudEvent) -> None:
        """Reminders follow the newest known start; everyone registered hears of a new
        time, place or title (not of a fixed typo), unless a later update came first."""
        await self._meetups.remember(event.meetup, now())
        known = await self._meetups.get(event.meetup.meetup_id)
        newest = known.snapshot if known is not None else event.meetup
        await self._reminders.reschedule(newest)
        if newest.sequence > event.meetup.sequence:
            return  # a later update already arrived; its mail says the newer truth
        changes = meetup_changes_to_tell(event.changed)
        if not changes:
            return
        messages = []
        for reg in await self._registrations.of_meetup(event.meetup.meetup_id, REGISTERED):
            confirmed = reg["status"] == RegistrationState.CONFIRMED
            messages.append(
                self._notifier.email(
                    cause=envelope.id,
                    recipient=_registered(reg),
                    template="meetup_updated",
                    context={
                        "meetup": event.meetup.model_dump(),
                        "changes": changes,
                        "with_invitation": confirmed,
                        "cancel_url": self._notifier.links.registration_cancel(reg["_id"]),
                    },
                    attachments=[invitation(event.meetup)] if confirmed else [],
                    cause_event_id=envelope.id,
                    meetup_id=event.meetup.meetup_id,
                    registration_id=reg["_id"],
                )
            )
        await self._notifier.queue(messages)

    async def meetup_cancelled(self, event: MeetupCancelled, envelope: CloudEvent) -> None:
        meetup_id = event.meetup.meetup_id
        await self._meetups.remember(event.meetup, now(), MeetupState.CANCELLED)
        await self._reminders.cancel_meetup(meetup_id, "meetup cancelled")
        messages = []
        for reg in await self._registrations.of_meetup(meetup_id, REGISTERED):
            confirmed = reg["status"] == RegistrationState.CONFIRMED
            messages.append(
                self._notifier.email(
                    cause=envelope.id,
                    recipient=_registered(reg),
                    template="meetup_cancelled",
                    context={"meetup": event.meetup.model_dump(), "reason": event.reason},
                    attachments=[invitation(event.meetup, cancelled=True)] if confirmed else [],
                    cause_event_id=envelope.id,
                    meetup_id=meetup_id,
                    registration_id=reg["_id"],
                )
            )
        await self._notifier.queue(messages)

    # --- after the meetup ----------------------------------------------------------------

    async def meetup_completed(self, event: MeetupCompleted, envelope: CloudEvent) -> None:
        """Thank everyone recorded as come; the NGOs that took part were seen."""
        await self._meetups.remember(event.meetup, now(), MeetupState.COMPLETED)
        for organization_id in event.organization_ids:
            await self._organizations.record_visit(organization_id, event.meetup.meetup_id)
        attendees = await self._registrations.attendees(event.meetup.meetup_id)
        await self._notifier.queue([self._thanks(event.meetup, reg) for reg in attendees])

    async def attendance_recorded(self, event: AttendanceRecorded, envelope: CloudEvent) -> None:
        """Mark who came (and their NGO as seen); if the meetup is already completed,
        thank them now."""
        if event.organization_id:
            await self._organizations.record_visit(event.organization_id, event.meetup_id)
        if await self._forgotten(envelope, event.person_key):
            return
        if event.registration_id:
            registration = await self._registrations.get(event.registration_id)
        else:
            registration = await self._registrations.of_person(event.meetup_id, event.person_key)
        if registration is None:
            return  # a walk-in without a registration: we have no address for them
        await self._registrations.mark_attended(registration["_id"], envelope.id)
        known = await self._meetups.get(event.meetup_id)
        if known is not None and known.state == MeetupState.COMPLETED:
            await self._notifier.queue([self._thanks(known.snapshot, registration)])

    def _thanks(self, meetup: MeetupSnapshot, reg: dict[str, Any]) -> dict[str, Any]:
        """Cause ``meetup:<id>``: whichever of completion and attendance comes last, one mail."""
        return self._notifier.email(
            cause=f"meetup:{meetup.meetup_id}",
            recipient=_registered(reg),
            template="meetup_thanks",
            context={
                "meetup": meetup.model_dump(),
                "feedback_url": self._notifier.links.feedback(meetup.meetup_id, reg["_id"]),
            },
            meetup_id=meetup.meetup_id,
            registration_id=reg["_id"],
        )
