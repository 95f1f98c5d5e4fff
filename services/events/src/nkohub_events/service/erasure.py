"""Erasure of a person's data (152-ФЗ) when the registry erases the person, everywhere this
service copied it, and durably (``domain.erasure``)."""

from __future__ import annotations

from nkohub_contracts import new_event
from nkohub_events.domain import erasure as rules
from nkohub_events.domain import speakers
from nkohub_events.domain.common import utcnow
from nkohub_events.domain.meetups import snapshot
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.consultations import SlotRepository, SpecialistRepository
from nkohub_events.repository.erasures import ErasureRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.questions import FeedbackRepository, QuestionRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_shared.privacy import person_key

MEETUP_ATTEMPTS = 20


class ErasedPeople:
    """The tombstones: whose data must not come back."""

    def __init__(self, tombstones: ErasureRepository) -> None:
        self._tombstones = tombstones

    async def among(self, person_keys: list[str]) -> set[str]:
        return await self._tombstones.among(list(person_keys)) if person_keys else set()

    async def refuse(self, email: str, *, field: str) -> None:
        """A public form for an erased address is refused (409, ``reason: erased``)."""
        if await self.among([person_key(email)]):
            raise rules.erased_refusal(field)


class ErasureService:
    def __init__(
        self,
        tombstones: ErasureRepository,
        registrations: RegistrationRepository,
        attendances: AttendanceRepository,
        slots: SlotRepository,
        specialists: SpecialistRepository,
        questions: QuestionRepository,
        feedback: FeedbackRepository,
        meetups: MeetupRepository,
        *,
        public_base_url: str,
    ) -> None:
        self._tombstones = tombstones
        self._registrations = registrations
        self._attendances = attendances
        self._slots = slots
        self._specialists = specialists
        self._questions = questions
        self._feedback = feedback
        self._meetups = meetups
        self._base_url = public_base_url

    async def erase(self, person_keys: list[str]) -> None:
        """Names and contacts behind the keys go; keys and roles stay, so the figures do
        not change. The tombstones come first, so what arrives meanwhile is caught too.
        Setting erased values again changes nothing: a re-run is harmless."""
        keys = list(dict.fromkeys(person_keys))
        now = utcnow()
        await self._tombstones.record([rules.tombstone(k, now) for k in keys])
        registration_ids = await self._registrations.ids_of_people(keys)
        for registration_id in registration_ids:
            await self._registrations.set(
                registration_id, rules.erased_registration(registration_id)
            )
        await self._feedback.erase_comments(registration_ids)
        await self._attendances.erase(keys, rules.ERASED_ATTENDANCE)
        await self._questions.erase_authors(keys, rules.ERASED)
        await self._erase_bookings(keys)
        await self._erase_specialists(set(keys))
        await self._erase_speakers(keys)

    async def _erase_bookings(self, keys: list[str]) -> None:
        await self._slots.erase_contacts(keys, rules.ERASED_CONTACT)
        for slot in await self._slots.with_past_bookings_of(keys):
            erased = rules.erased_past_bookings(slot.get("past_bookings", []), set(keys))
            if erased:
                await self._slots.replace_past_bookings(slot["_id"], erased)

    async def _erase_specialists(self, keys: set[str]) -> None:
        """Specialists are few; their keys are computed from their e-mail, so those
        entered before specialists carried a key are found too."""
        ids = [
            s["_id"]
            for s in await self._specialists.all()
            if s.get("person_key") in keys or (s.get("email") and person_key(s["email"]) in keys)
        ]
        if ids:
            await self._specialists.erase(ids, rules.ERASED_SPECIALIST)
            await self._slots.erase_specialists(ids, rules.ERASED_SPECIALIST)

    async def _erase_speakers(self, keys: list[str]) -> None:
        for m in await self._meetups.with_speakers(keys):
            names = rules.erased_speaker_names(m.get("program") or [], set(keys))
            for _ in range(MEETUP_ATTEMPTS):
                program = rules.erased_program(m.get("program") or [], set(keys))
                if program is None:
                    break
                fields = {"program": program, "sequence": m["sequence"] + 1, "updated_at": utcnow()}
                after = {**m, **fields}
                event = rules.program_erased_event(after, snapshot(after, self._base_url))
                listed = speakers.listed_event(m, after)
                events = [new_event(e) for e in (event, listed) if e is not None]
                if await self._meetups.change(m, fields, *events) is not None:
                    break
                fresh = await self._meetups.find(m["_id"], light=True)
                if fresh is None:
                    break
                m = fresh
            if names:
                await self._questions.erase_addressees(m["_id"], names, rules.ERASED)
