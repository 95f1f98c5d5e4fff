"""``erased_people``: the person keys erased (``registry.person.erased``) and when, so
that an event about them from before the erasure does not bring their data back. Keys
only: an HMAC of the address, which nobody can turn back into it."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.storage.writer import Document

COLLECTION = "erased_people"


class ErasedPeopleRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._erased = collection

    async def remember(self, person_keys: list[str], erased_at: datetime) -> None:
        """Keep the latest erasure of each key."""
        for key in person_keys:
            await self._erased.update_one(
                {"_id": key}, {"$max": {"erased_at": erased_at}}, upsert=True
            )

    async def erased_at(self, person_key: str) -> datetime | None:
        doc = await self._erased.find_one({"_id": person_key})
        return doc["erased_at"] if doc else None
