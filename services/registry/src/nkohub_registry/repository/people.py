"""The ``people`` collection: personal data, with the erasure event in its outbox."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts.envelope import CloudEvent
from nkohub_registry.repository.collections import PEOPLE, Document
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox


class PeopleRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db[PEOPLE]
        self.writer = outbox.writer(self.collection)

    async def insert(self, doc: Document) -> None:
        await self.collection.insert_one(doc)

    async def get(self, person_id: str) -> Document | None:
        return await self.collection.find_one({"_id": person_id}, WITHOUT_OUTBOX)

    async def list(
        self, *, organization_id: str | None, role: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query: Document = {}
        if organization_id:
            query["organization_ids"] = organization_id
        if role:
            query["role"] = role
        cursor = self.collection.find(query, WITHOUT_OUTBOX).sort("created_at", 1)
        items = [d async for d in cursor.skip(skip).limit(limit)]
        return items, await self.collection.count_documents(query)

    async def erase(self, person_id: str, update: Document, event: CloudEvent) -> bool:
        """Erase once: only a record not erased yet is changed (and publishes)."""
        result = await self.writer.update({"_id": person_id, "erased_at": None}, update, event)
        return bool(result.modified_count)

    async def held_under(self, person_key: str) -> list[Document]:
        """People not erased whose records carry this key (their e-mail's)."""
        cursor = self.collection.find({"person_key": person_key, "erased_at": None}, WITHOUT_OUTBOX)
        return [d async for d in cursor]
