"""Reminders to speakers the day before: their program items with times, the meetup's
place, one e-mail per speaker and meetup start (see ``domain.speakers``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import SpeakersListed
from nkohub_notifications.domain import speakers as rules
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.wording import day_ru
from nkohub_notifications.repository.readmodel import MeetupRepository
from nkohub_notifications.repository.speakers import SpeakerRepository
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.messages import Notifier

DEFAULT_TIMEZONE = "Europe/Samara"


class SpeakerReminders:
    def __init__(
        self,
        speakers: SpeakerRepository,
        meetups: MeetupRepository,
        notifier: Notifier,
        erasure: Erasure,
    ) -> None:
        self._speakers = speakers
        self._meetups = meetups
        self._notifier = notifier
        self._erasure = erasure

    async def listed(self, event: SpeakersListed, envelope: CloudEvent) -> None:
        """Keep the meetup's speakers (not one erased after the event was written)."""
        docs = [
            d
            for d in rules.speaker_documents(event, envelope.time)
            if not await self._erasure.forgotten(envelope.time, d["speaker_key"])
        ]
        await self._speakers.replace_list(event.meetup_id, envelope.time, docs)

    async def send_due(self) -> int:
        """Queue each due speaker's reminder, then mark it; a run racing another, or
        following a crash in between, queues nothing twice (the unique message key)."""
        queued = 0
        start, end = rules.due_window(now())
        for speaker in await self._speakers.due(start, end):
            queued += await self._remind(speaker)
            await self._speakers.mark_reminded(speaker["_id"], speaker["starts_at"])
        return queued

    async def _remind(self, speaker: dict[str, Any]) -> int:
        known = await self._meetups.get(speaker["meetup_id"])
        meetup = known.snapshot if known else None
        timezone = meetup.timezone if meetup else DEFAULT_TIMEZONE
        message = self._notifier.email(
            cause=rules.reminder_cause(speaker["meetup_id"], speaker["starts_at"]),
            recipient=Recipient.of(speaker["name"], speaker["email"]),
            template=rules.TEMPLATE,
            context={
                "meetup": meetup.model_dump() if meetup else None,
                "items": rules.items_context(speaker["items"]),
                "day_label": day_ru(speaker["starts_at"].astimezone(ZoneInfo(timezone))),
                "timezone": timezone,
            },
            meetup_id=speaker["meetup_id"],
        )
        return await self._notifier.queue([message])
