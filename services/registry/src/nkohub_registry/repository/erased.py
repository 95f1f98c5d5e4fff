"""The ``erased_people`` collection: tombstones of erased people, one per person key
(an HMAC: no personal data), so that a late event or a re-entry cannot bring their data
back."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_registry.repository.collections import ERASED, Document


class ErasedRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[ERASED]

    async def remember(self, keys: list[str], erased_at: datetime) -> None:
        for key in keys:
            await self.collection.update_one(
                {"_id": key}, {"$setOnInsert": {"erased_at": erased_at}}, upsert=True
            )

    async def erased_at(self, key: str) -> datetime | None:
        doc = await self.collection.find_one({"_id": key})
        return doc["erased_at"] if doc else None

    async def erased(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` belong to erased people."""
        if not keys:
            return set()
        return {doc["_id"] async for doc in self.collection.find({"_id": {"$in": keys}})}
