"""The ``proposals`` collection: self-registrations awaiting staff, apart from the official
``organizations`` (so a proposal holds no ОГРН/ИНН slot). A new proposal is stored with
``registry.proposal.submitted`` in its outbox (name, city, areas: staff's alert); nothing
else of a proposal leaves the registry until staff approve it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent
from nkohub_registry.repository.collections import PROPOSALS, Document
from nkohub_shared.storage.writer import Outbox


class ProposalRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox | None = None) -> None:
        self.collection = db[PROPOSALS]
        self.writer = (outbox or Outbox()).writer(self.collection)

    async def insert(self, doc: Document, *events: CloudEvent) -> None:
        """Store a new proposal with its events (one write)."""
        await self.writer.insert(doc, *events)

    async def insert_if_absent(self, doc: Document) -> None:
        """Insert unless a proposal with this id exists (a re-run after a crash)."""
        await self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)

    async def get(self, proposal_id: str) -> Document | None:
        return await self.collection.find_one({"_id": proposal_id})

    def _query(self, status: str | None, ogrn: str | None) -> Document:
        query: Document = {}
        if status:
            query["status"] = status
        if ogrn:
            query["ogrn"] = ogrn
        return query

    async def list(
        self, *, status: str | None, ogrn: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query = self._query(status, ogrn)
        cursor = self.collection.find(query).sort([("created_at", 1), ("_id", 1)])
        items = [doc async for doc in cursor.skip(skip).limit(limit)]
        return items, await self.collection.count_documents(query)

    async def iterate(self, *, status: str | None) -> AsyncIterator[Document]:
        cursor = self.collection.find(self._query(status, None)).sort([("created_at", 1)])
        async for doc in cursor:
            yield doc

    async def decide(self, proposal_id: str, update: Document) -> Document | None:
        """Record staff's decision on a pending proposal; ``None`` when it was decided
        meanwhile (or does not exist)."""
        return await self.collection.find_one_and_update(
            {"_id": proposal_id, "status": "pending"},
            update,
            return_document=ReturnDocument.AFTER,
        )

    async def forget_contacts(self, *, emails: list[str], phones: list[str]) -> int:
        """Clear an erased person's address (in any letter case) and phone where a
        self-registration gave them as the organization's contacts; returns how many
        proposals changed."""
        changed = 0
        wanted = [
            *({"public_email": {"$regex": f"^{re.escape(e)}$", "$options": "i"}} for e in emails),
            *({"public_phone": phone} for phone in phones),
        ]
        for query in wanted:
            field = next(iter(query))
            result = await self.collection.update_many(query, {"$set": {field: None}})
            changed += result.modified_count
        return changed
