"""Storage of the settings staff change at run time (one document)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_publishing.domain import Document


class SettingsRepository:
    KEY = "publishing"

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["staff_settings"]

    async def stored(self) -> Document:
        """What staff have set so far (nothing at first)."""
        return await self.collection.find_one({"_id": self.KEY}, {"_id": 0}) or {}

    async def set(self, changes: Document) -> None:
        await self.collection.update_one({"_id": self.KEY}, {"$set": changes}, upsert=True)
