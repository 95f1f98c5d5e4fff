"""The keys of erased people (``erased_people``): the tombstones that keep erasure durable."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class ErasureRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["erased_people"]

    async def record(self, tombstones: list[Document]) -> None:
        """Idempotent: a key erased again keeps its first date."""
        for doc in tombstones:
            await self.collection.update_one(
                {"_id": doc["_id"]}, {"$setOnInsert": {"erased_at": doc["erased_at"]}}, upsert=True
            )

    async def among(self, person_keys: list[str]) -> set[str]:
        cursor = self.collection.find({"_id": {"$in": person_keys}}, {"_id": 1})
        return {d["_id"] async for d in cursor}
