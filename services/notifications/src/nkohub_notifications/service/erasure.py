"""Erasure of a person (``registry.person.erased``): their recipient data, registrations,
reminders and message history go."""

from __future__ import annotations

from nkohub_notifications.repository import Repositories


class Erasure:
    def __init__(self, repositories: Repositories) -> None:
        self._repositories = repositories

    async def erase(self, person_keys: list[str]) -> None:
        r = self._repositories
        await r.subscribers.delete_of_people(person_keys)
        await r.registrations.delete_of_people(person_keys)
        await r.reminders.delete_of_people(person_keys)
        await r.messages.delete_of_people(person_keys)
