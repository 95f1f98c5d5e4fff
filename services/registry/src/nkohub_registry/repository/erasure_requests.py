"""The ``erasure_requests`` collection: requests from the public form, without the
address (its person key only), each carrying its ``registry.erasure.requested`` events in
its outbox."""

from __future__ import annotations

from datetime import datetime

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts.envelope import CloudEvent
from nkohub_registry.repository.collections import ERASURE_REQUESTS, Document
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox


class ErasureRequestRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db[ERASURE_REQUESTS]
        self.writer = outbox.writer(self.collection)

    async def insert(self, doc: Document, events: list[CloudEvent]) -> None:
        await self.writer.insert(doc, *events)

    async def mark_erased(self, person_key: str, erased_at: datetime) -> int:
        """The person confirmed: their mailed requests say so; how many."""
        result = await self.collection.update_many(
            {"person_key": person_key, "status": "mailed"},
            {"$set": {"status": "erased", "erased_at": erased_at}},
        )
        return result.modified_count

    async def forget(self, person_key: str) -> None:
        """An erased person's requests keep no key (their status and dates stay)."""
        await self.collection.update_many(
            {"person_key": person_key}, {"$set": {"person_key": None}}
        )

    async def recent(self, limit: int) -> list[Document]:
        cursor = self.collection.find({}, WITHOUT_OUTBOX).sort("requested_at", DESCENDING)
        return [d async for d in cursor.limit(limit)]

    async def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        async for row in await self.collection.aggregate(
            [{"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        ):
            counts[str(row["_id"])] = int(row["n"])
        return counts
