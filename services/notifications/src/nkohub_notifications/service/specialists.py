"""Reminders to specialists the day before: their slots and who booked them (names),
one e-mail per specialist and meetup (see ``domain.specialists``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import ConsultationBooked, ConsultationCancelled
from nkohub_notifications.domain import specialists as rules
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.wording import day_ru
from nkohub_notifications.repository.readmodel import MeetupRepository
from nkohub_notifications.repository.specialists import ConsultationSlotRepository
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.messages import Notifier


class SpecialistReminders:
    def __init__(
        self,
        slots: ConsultationSlotRepository,
        meetups: MeetupRepository,
        notifier: Notifier,
        erasure: Erasure,
    ) -> None:
        self._erasure = erasure
        self._slots = slots
        self._meetups = meetups
        self._notifier = notifier

    async def booked(self, event: ConsultationBooked, envelope: CloudEvent) -> None:
        """Keep the slot of a specialist with an address (not of someone erased since)."""
        if not event.specialist.email:
            return
        recipient = Recipient.of(event.specialist.name, event.specialist.email)
        if await self._erasure.forgotten(envelope.time, recipient.key, event.contact.person_key):
            return
        await self._slots.booked(rules.slot_document(event, recipient.key))

    async def cancelled(self, event: ConsultationCancelled) -> None:
        await self._slots.cancelled(event.consultation_id)

    async def send_due(self) -> int:
        """Queue the reminder of every group due now, then mark it reminded; a run that
        races another, or follows a crash in between, queues nothing twice."""
        queued = 0
        start, end = rules.due_window(now())
        for specialist_key, group in await self._slots.due(start, end):
            slots = await self._slots.of_group(specialist_key, group)
            if slots:
                queued += await self._remind(specialist_key, group, slots)
            await self._slots.mark_reminded(specialist_key, group)
        return queued

    async def _remind(self, specialist_key: str, group: str, slots: list[dict[str, Any]]) -> int:
        first = min(slots, key=lambda s: s["starts_at"])
        specialist = first["specialist"]
        known = await self._meetups.get(first["meetup_id"]) if first.get("meetup_id") else None
        timezone = known.snapshot.timezone if known else rules.DEFAULT_TIMEZONE
        recipient = Recipient.of(specialist["name"], specialist["email"])
        message = self._notifier.email(
            cause=rules.reminder_cause(group),
            recipient=recipient,
            template=rules.TEMPLATE,
            context={
                "meetup": known.snapshot.model_dump() if known else None,
                "specialist": {k: specialist.get(k) for k in ("name", "specialty", "body")},
                "slots": rules.slots_context(slots),
                "day_label": day_ru(first["starts_at"].astimezone(ZoneInfo(timezone))),
                "timezone": timezone,
            },
            meetup_id=first.get("meetup_id"),
            about_keys=[s["contact_key"] for s in slots if s.get("contact_key")],
        )
        return await self._notifier.queue([message])
