"""Reminders: scheduled at ``start − offset`` for each confirmed registration.

They live in the database, so a restart neither loses nor repeats them: the scheduler
queues a reminder's message under a unique key (one per reminder and start time) and
only then marks the reminder sent; a crash in between re-queues the same key, which
inserts nothing. When the meetup moves, reminders follow it and a reminder message
still queued for the old time is suppressed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nkohub_contracts.common import MeetupSnapshot, Participant
from nkohub_notifications.domain.clock import now, same_moment
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.reminders import (
    ReminderStatus,
    due_verdict,
    moved,
    reminder_cause,
    reminder_document,
    reminder_id,
    reminder_times,
)
from nkohub_notifications.domain.wording import before_words
from nkohub_notifications.repository import (
    KnownMeetup,
    MeetupRepository,
    RegistrationRepository,
    ReminderRepository,
)
from nkohub_notifications.service.messages import Notifier

TEMPLATE = "reminder"
DUE_BATCH = 500


class Reminders:
    def __init__(
        self,
        reminders: ReminderRepository,
        registrations: RegistrationRepository,
        meetups: MeetupRepository,
        notifier: Notifier,
        offsets: list[timedelta],
    ) -> None:
        self._reminders = reminders
        self._registrations = registrations
        self._meetups = meetups
        self._notifier = notifier
        self._offsets = offsets

    async def schedule(
        self, registration_id: str, meetup: MeetupSnapshot, participant: Participant
    ) -> None:
        """The reminders of a confirmed registration still ahead (each one once)."""
        at = now()
        for offset_seconds, due in reminder_times(meetup.starts_at, self._offsets, at):
            await self._reminders.add(
                reminder_id(registration_id, offset_seconds),
                reminder_document(
                    registration_id=registration_id,
                    meetup_id=meetup.meetup_id,
                    person_key=participant.person_key,
                    offset_seconds=offset_seconds,
                    due_at=due,
                    starts_at=meetup.starts_at,
                    at=at,
                ),
            )

    async def cancel_registration(self, registration_id: str, reason: str) -> None:
        await self._reminders.cancel_pending(reason, registration_id=registration_id)
        await self._notifier.suppress(reason, template=TEMPLATE, registration_id=registration_id)

    async def cancel_meetup(self, meetup_id: str, reason: str) -> None:
        await self._reminders.cancel_pending(reason, meetup_id=meetup_id)
        await self._notifier.suppress(reason, template=TEMPLATE, meetup_id=meetup_id)

    async def reschedule(self, meetup: MeetupSnapshot) -> int:
        """The meetup starts at ``meetup.starts_at``: its reminders follow (see
        ``domain.reminders.moved``); a reminder queued for the old time must not go out.
        Returns how many moved."""
        at = now()
        count = 0
        for reminder in await self._reminders.movable(meetup.meetup_id):
            move = moved(reminder, meetup.starts_at, at)
            if move is not None:
                await self._reminders.move(reminder["_id"], move)
                count += 1
        if count:
            await self._notifier.suppress(
                "meetup moved", template=TEMPLATE, meetup_id=meetup.meetup_id
            )
        return count

    async def send_due(self, *, limit: int = DUE_BATCH) -> int:
        """Queue the message of every due pending reminder; returns how many were handled."""
        at = now()
        handled = 0
        for reminder in await self._reminders.due(at, limit=limit):
            registration = await self._registrations.get(reminder["registration_id"])
            known = await self._meetups.get(reminder["meetup_id"])
            if known is not None and not same_moment(
                known.snapshot.starts_at, reminder["starts_at"]
            ):
                # the meetup moved and its reminders have not followed yet: they do now
                await self.reschedule(known.snapshot)
                continue
            verdict = due_verdict(
                registration_state=registration["status"] if registration else None,
                meetup_state=known.state if known else None,
                meetup_starts_at=known.snapshot.starts_at if known else None,
                at=at,
            )
            if verdict is ReminderStatus.SENT and registration and known:
                await self._queue(reminder, registration, known)
            await self._reminders.finish(reminder, verdict, now())
            handled += 1
        return handled

    async def _queue(
        self, reminder: dict[str, Any], registration: dict[str, Any], known: KnownMeetup
    ) -> None:
        meetup = known.snapshot
        message = self._notifier.email(
            cause=reminder_cause(reminder),
            recipient=Recipient(
                registration["person_key"], registration["name"], registration["email"]
            ),
            template=TEMPLATE,
            context={
                "meetup": meetup.model_dump(),
                "before": before_words(timedelta(seconds=reminder["offset_seconds"])),
                "cancel_url": self._notifier.links.registration_cancel(registration["_id"]),
            },
            meetup_id=meetup.meetup_id,
            registration_id=registration["_id"],
        )
        await self._notifier.queue([message])
