"""Mail about consultations: to the NGO's contact and to the specialist."""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import ConsultationBooked, ConsultationCancelled
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.privacy import normalise_email


class ConsultationMail:
    def __init__(self, notifier: Notifier, erasure: Erasure) -> None:
        self._notifier = notifier
        self._erasure = erasure

    async def booked(self, event: ConsultationBooked, envelope: CloudEvent) -> None:
        await self._mail(event, envelope, "consultation_booked", question=event.question)

    async def cancelled(self, event: ConsultationCancelled, envelope: CloudEvent) -> None:
        await self._mail(event, envelope, "consultation_cancelled")

    async def _mail(
        self,
        event: ConsultationBooked | ConsultationCancelled,
        envelope: CloudEvent,
        template: str,
        *,
        question: str | None = None,
    ) -> None:
        """The NGO's contact (with the cancel link of a booking) and the specialist; the
        specialist's copy carries the contact's data, so nothing goes for a contact
        erased since the event was written."""
        if await self._erasure.forgotten(envelope.time, event.contact.person_key):
            return
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
        contact = event.contact
        messages = [
            self._notifier.email(
                cause=envelope.id,
                recipient=Recipient(
                    contact.person_key, contact.name, normalise_email(contact.email)
                ),
                template=template,
                context={
                    "consultation": consultation,
                    "for_specialist": False,
                    "cancel_url": self._notifier.links.consultation_cancel(event.consultation_id)
                    if booked
                    else None,
                },
                cause_event_id=envelope.id,
                meetup_id=event.meetup_id,
            )
        ]
        specialist = (
            Recipient.of(event.specialist.name, event.specialist.email)
            if event.specialist.email
            else None
        )
        if specialist is not None and not await self._erasure.forgotten(
            envelope.time, specialist.key
        ):
            messages.append(
                self._notifier.email(
                    cause=envelope.id,
                    recipient=specialist,
                    template=template,
                    context={
                        "consultation": consultation,
                        "for_specialist": True,
                        "cancel_url": None,
                    },
                    cause_event_id=envelope.id,
                    meetup_id=event.meetup_id,
                    about_keys=[contact.person_key],
                )
            )
        await self._notifier.queue(messages)
