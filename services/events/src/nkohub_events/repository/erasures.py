"""The keys of erased people (``erased_people``): the tombstones that keep erasure durable."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.storage.groups import GroupWrite

Document = dict[str, Any]


class ErasureRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["erased_people"]
        # every public form asks about one address: the asks of one moment are one query
        self._asks = GroupWrite(self._erased_of, max_items=500)

    async def record(self, tombstones: list[Document]) -> None:
        """Idempotent: a key erased again keeps its first date."""
        for doc in tombstones:
            await self.collection.update_one(
                {"_id": doc["_id"]}, {"$setOnInsert": {"erased_at": doc["erased_at"]}}, upsert=True
            )

    async def among(self, person_keys: list[str]) -> set[str]:
        return await self._asks(list(person_keys))

    async def _erased_of(self, asks: list[list[str]]) -> list[set[str]]:
        keys = list({key for ask in asks for key in ask})
        cursor = self.collection.find({"_id": {"$in": keys}}, {"_id": 1})
        erased = {d["_id"] async for d in cursor}
        return [erased.intersection(ask) for ask in asks]
