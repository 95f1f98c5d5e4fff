"""Settings staff change at run time; until they do, the service's configuration holds."""

from __future__ import annotations

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.staff_settings import StaffSettingsChange
from nkohub_publishing.repository import SettingsRepository


class StaffSettingsService:
    def __init__(self, repository: SettingsRepository, defaults: Document) -> None:
        self.repository = repository
        self.defaults = defaults

    async def get(self) -> Document:
        stored = await self.repository.stored()
        return {k: stored.get(k, v) for k, v in self.defaults.items()}

    async def update(self, change: StaffSettingsChange) -> Document:
        changes = change.model_dump(exclude_none=True)
        if changes:
            await self.repository.set(changes)
        return await self.get()

    async def publish_meetup_announcements(self) -> bool:
        return bool((await self.get())["publish_meetup_announcements"])
