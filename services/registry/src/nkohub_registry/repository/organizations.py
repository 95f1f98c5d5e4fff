"""The ``organizations`` collection: search, reads, and writes with their events."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_contracts.envelope import CloudEvent
from nkohub_registry.domain import audit
from nkohub_registry.domain.organizations import (
    DuplicateOrganization,
    OrganizationFilter,
    query_words,
)
from nkohub_registry.repository.collections import ORGANIZATIONS, Document
from nkohub_registry.repository.history import HistoryRepository
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

SORTS = {
    "name": [("sort_name", ASCENDING), ("_id", ASCENDING)],
    "-name": [("sort_name", DESCENDING), ("_id", ASCENDING)],
    "registered_on": [("registered_on", ASCENDING), ("_id", ASCENDING)],
    "-registered_on": [("registered_on", DESCENDING), ("_id", ASCENDING)],
    "created_at": [("created_at", ASCENDING), ("_id", ASCENDING)],
    "-created_at": [("created_at", DESCENDING), ("_id", ASCENDING)],
}


def _now() -> datetime:
    return datetime.now(UTC)


class OrganizationRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db[ORGANIZATIONS]
        self.writer = outbox.writer(self.collection)
        self.history = HistoryRepository(db)

    @property
    def database(self) -> str:
        """The database's name (what a cache of reads is kept for)."""
        return self.collection.database.name

    async def get(self, organization_id: str) -> Document | None:
        return await self.collection.find_one({"_id": organization_id}, WITHOUT_OUTBOX)

    async def by_ogrn(self, ogrn: str) -> Document | None:
        return await self.collection.find_one({"ogrn": ogrn}, WITHOUT_OUTBOX)

    async def twin(self, ogrn: str | None, inn: str | None) -> Document | None:
        """The record holding this ОГРН, else this ИНН (to show staff a proposal's twin)."""
        for field, value in (("ogrn", ogrn), ("inn", inn)):
            if value:
                found = await self.collection.find_one({field: value}, WITHOUT_OUTBOX)
                if found:
                    return found
        return None

    async def find_duplicate(
        self, ogrn: str | None, inn: str | None, exclude_id: str | None = None
    ) -> DuplicateOrganization | None:
        """The refusal naming another organization with this ОГРН or ИНН, if there is one."""
        for field, value in (("ogrn", ogrn), ("inn", inn)):
            if not value:
                continue
            query: Document = {field: value}
            if exclude_id:
                query["_id"] = {"$ne": exclude_id}
            found = await self.collection.find_one(query, {"_id": 1, "full_name": 1, "ogrn": 1})
            if found:
                return DuplicateOrganization(field, found)
        return None

    async def _twin_of(self, ogrn: str | None, exclude_id: str | None) -> DuplicateOrganization:
        """After the unique ОГРН index refused a write: the twin that a concurrent write
        stored meanwhile."""
        twin = await self.find_duplicate(ogrn, None, exclude_id=exclude_id)
        return twin or DuplicateOrganization("ogrn", {"_id": None})

    async def insert(self, doc: Document, *events: CloudEvent) -> None:
        """Insert a new organization with its events; ``DuplicateOrganization`` for a
        second one with the same ОГРН or ИНН."""
        duplicate = await self.find_duplicate(doc["ogrn"], doc.get("inn"))
        if duplicate:
            raise duplicate
        try:
            await self.writer.insert(doc, *events)
        except DuplicateKeyError:  # a concurrent insert won the race
            raise await self._twin_of(doc["ogrn"], None) from None

    async def update_if_unchanged(
        self,
        organization_id: str,
        expected_updated_at: datetime,
        update: Document,
        *events: CloudEvent,
    ) -> Document | None:
        """Apply ``update`` with its events if the document was not changed since it was
        read (optimistic concurrency on ``updated_at``); ``None`` when it was (retry).
        ``DuplicateOrganization`` when the new ОГРН is another organization's."""
        try:
            return await self.writer.find_and_update(
                {"_id": organization_id, "updated_at": expected_updated_at}, update, *events
            )
        except DuplicateKeyError:  # a concurrent write stored the twin
            ogrn = update.get("$set", {}).get("ogrn")
            raise await self._twin_of(ogrn, organization_id) from None

    async def set_needs(
        self, organization_id: str, needs: Document, history: Document | None = None
    ) -> Document | None:
        """Store the needs survey (no event: it stays in the registry), with ``history``
        appended to the staff history; the document after."""
        return await self.writer.find_and_update(
            {"_id": organization_id},
            audit.push({"$set": {"needs": needs, "updated_at": _now()}}, history),
        )

    async def add_grant(
        self, organization_id: str, grant: Document, history: Document | None = None
    ) -> bool:
        """Add a grant won (no event); whether the organization exists."""
        result = await self.writer.update(
            {"_id": organization_id},
            audit.push({"$push": {"grants": grant}, "$set": {"updated_at": _now()}}, history),
        )
        return bool(result.matched_count)

    async def _query(self, flt: OrganizationFilter) -> Document:
        query: Document = {}
        clauses: list[Document] = []
        if flt.q:
            words = query_words(flt.q)
            if len(words) == 1 and words[0].isdigit():
                clauses.append({"$or": [{"ogrn": words[0]}, {"inn": words[0]}]})
            else:
                clauses += [{"search_words": {"$regex": "^" + re.escape(w)}} for w in words]
        for field in ("legal_form", "status", "source"):
            value = getattr(flt, field)
            if value:
                query[field] = value
        if flt.activity_area:
            query["activity_areas"] = flt.activity_area
        if flt.city:
            query["city"] = {"$regex": f"^{re.escape(flt.city.strip())}$", "$options": "i"}
        if flt.awaiting_approval:
            query["approved"] = False
        elif not flt.include_unapproved:
            query["approved"] = True
        if flt.never_came:
            query["_id"] = {"$nin": await self.history.came()}
        if clauses:
            query["$and"] = clauses
        return query

    async def search(
        self, flt: OrganizationFilter, *, sort: str, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query = await self._query(flt)
        cursor = self.collection.find(query, WITHOUT_OUTBOX).sort(SORTS[sort])
        items = [doc async for doc in cursor.skip(skip).limit(limit)]
        return items, await self.collection.count_documents(query)

    async def iterate(
        self, flt: OrganizationFilter, *, sort: str = "name"
    ) -> AsyncIterator[Document]:
        query = await self._query(flt)
        async for doc in self.collection.find(query, WITHOUT_OUTBOX).sort(SORTS[sort]):
            yield doc

    async def unapproved(self) -> list[Document]:
        """Self-registrations stored by older versions as unapproved organizations."""
        return [d async for d in self.collection.find({"approved": False}, WITHOUT_OUTBOX)]

    async def delete_unapproved(self, organization_id: str) -> None:
        """Remove one of those (never announced: there is no event to tell)."""
        await self.collection.delete_one({"_id": organization_id, "approved": False})

    async def needs_answers(self) -> tuple[list[Document], int]:
        """The stored needs surveys of approved organizations, and how many there are."""
        answered = [
            doc["needs"]
            async for doc in self.collection.find(
                {"approved": True, "needs": {"$ne": None}}, {"needs": 1}
            )
        ]
        total = await self.collection.count_documents({"approved": True})
        return answered, total
