"""Erasure of a person's data (152-ФЗ) when the registry erases the person."""

from __future__ import annotations

from nkohub_events.domain.erasure import ERASED_ATTENDANCE, ERASED_CONTACT, erased_registration
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.consultations import SlotRepository
from nkohub_events.repository.registrations import RegistrationRepository


class ErasureService:
    def __init__(
        self,
        registrations: RegistrationRepository,
        attendances: AttendanceRepository,
        slots: SlotRepository,
    ) -> None:
        self._registrations = registrations
        self._attendances = attendances
        self._slots = slots

    async def erase(self, person_keys: list[str]) -> None:
        """Names and contacts behind the keys go; keys and roles stay, so the figures do
        not change. Setting erased values again changes nothing: a re-run is harmless."""
        keys = list(person_keys)
        for registration_id in await self._registrations.ids_of_people(keys):
            await self._registrations.set(registration_id, erased_registration(registration_id))
        await self._attendances.erase(keys, ERASED_ATTENDANCE)
        await self._slots.erase_contacts(keys, ERASED_CONTACT)
