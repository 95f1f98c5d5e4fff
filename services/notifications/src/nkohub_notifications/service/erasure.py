"""Erasure of a person (``registry.person.erased``) and staff deleting a recipient: every
copy this service holds goes — the subscriber, the registrations read model, reminders,
the messages to them (content, addresses, history), and the content of messages to others
that carried their data (the specialist's copy of their booking). An erasure also keeps
the person key (``erased_people``), so that an event about them from before the erasure
does not bring their data back (``Erasure.forgotten``)."""

from __future__ import annotations

from datetime import datetime

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.erasure import from_before_erasure
from nkohub_notifications.repository import Repositories
from nkohub_shared.errors import NotFound

ERASED = "person erased"


class Erasure:
    def __init__(self, repositories: Repositories) -> None:
        self._repositories = repositories

    async def erase(self, person_keys: list[str], erased_at: datetime) -> None:
        """The registry erased these people at ``erased_at``: remember it first (so an
        event handled meanwhile is refused), then remove every copy."""
        await self._repositories.erased.remember(person_keys, erased_at)
        await self._remove(person_keys)

    async def delete_recipient(self, recipient_id: str) -> None:
        """Staff remove a recipient: every copy of the person goes, as in an erasure
        (without the lasting refusal: the person was not erased platform-wide)."""
        doc = await self._repositories.subscribers.get(recipient_id)
        if doc is None:
            raise NotFound("no such recipient", field="recipient_id")
        await self._remove([doc["person_key"]])

    async def forgotten(self, event_time: datetime, *person_keys: str) -> bool:
        """Whether an event written at ``event_time`` concerns someone erased after it."""
        for key in person_keys:
            erased_at = await self._repositories.erased.erased_at(key)
            if from_before_erasure(event_time, erased_at):
                return True
        return False

    async def _remove(self, person_keys: list[str]) -> None:
        r = self._repositories
        await r.subscribers.delete_of_people(person_keys)
        await r.registrations.delete_of_people(person_keys)
        await r.reminders.delete_of_people(person_keys)
        await r.consultation_slots.delete_of_people(person_keys)
        await r.speakers.delete_of_people(person_keys)
        await r.messages.delete_of_people(person_keys)
        await r.messages.redact_about(person_keys, ERASED, now())
