"""The history read model, kept from the events service's events (attendance, meetup
programs, consultations). Every write is applied once per event. The key of an erased
person is never kept: an attendance arriving after their erasure counts the meetup
without their key."""

from __future__ import annotations

from nkohub_contracts.common import MeetupSnapshot
from nkohub_contracts.events import AttendanceRecorded, ConsultationCompleted
from nkohub_registry.domain.history import has_happened, presentations
from nkohub_registry.repository import ErasedRepository, HistoryRepository


class HistoryService:
    def __init__(self, history: HistoryRepository, erased: ErasedRepository) -> None:
        self.history = history
        self.erased = erased

    async def attendance_recorded(self, event: AttendanceRecorded, event_id: str) -> None:
        """A person of an organization came to a meetup."""
        if not event.organization_id:
            return
        key = event.person_key
        erased = bool(await self.erased.erased([key]))
        await self.history.record_attendance(
            event.organization_id,
            meetup_id=event.meetup_id,
            meetup={"title": event.meetup_title, "starts_at": event.meetup_starts_at},
            person_key=None if erased else key,
            checked_in_at=event.checked_in_at,
            event_id=event_id,
        )
        if not erased and await self.erased.erased([key]):  # erased meanwhile
            await self.history.forget_person(key)

    async def program_changed(self, meetup: MeetupSnapshot, event_id: str) -> None:
        """The organizations in the program present at this meetup (they came, once it has
        started); those dropped from the program no longer do."""
        presenting = presentations(meetup)
        came = has_happened(meetup)
        for organization_id, presentation in presenting.items():
            await self.history.record_presentation(
                organization_id,
                meetup_id=meetup.meetup_id,
                presentation=presentation,
                came=came,
                event_id=event_id,
            )
        await self.history.drop_presentations(
            meetup.meetup_id, keep=set(presenting), event_id=event_id
        )

    async def meetup_cancelled(self, meetup: MeetupSnapshot, event_id: str) -> None:
        """Nobody presents at a cancelled meetup."""
        await self.history.drop_presentations(meetup.meetup_id, keep=set(), event_id=event_id)

    async def consultation_completed(self, event: ConsultationCompleted, event_id: str) -> None:
        """An organization received a consultation."""
        if not event.organization_id:
            return
        await self.history.record_consultation(
            event.organization_id,
            consultation_id=event.consultation_id,
            consultation={
                "specialty": event.specialist.specialty,
                "specialist_name": event.specialist.name,
                "given_on": event.given_on.isoformat(),
            },
            event_id=event_id,
        )
