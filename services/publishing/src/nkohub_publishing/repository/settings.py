"""Settings staff change at run time."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_publishing.repository.base import Document


class StaffSettings:
    """Settings staff change at run time (they start from the service's configuration)."""

    KEY = "publishing"

    def __init__(self, db: AsyncDatabase[Document], defaults: Document) -> None:
        self.collection = db["staff_settings"]
        self.defaults = defaults

    async def get(self) -> Document:
        stored = await self.collection.find_one({"_id": self.KEY}) or {}
        return {k: stored.get(k, v) for k, v in self.defaults.items()}

    async def update(self, changes: Document) -> Document:
        if changes:
            await self.collection.update_one({"_id": self.KEY}, {"$set": changes}, upsert=True)
        return await self.get()
