"""MongoDB storage of the registry service (its own database, `nkohub_registry`).

Collections: ``organizations`` (carries its events in ``_outbox``), ``people`` (also),
``history`` (the read model fed by the events service's events).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_registry.domain.organizations import query_words
from nkohub_shared.contracts.envelope import CloudEvent
from nkohub_shared.storage.outbox import push_outbox, strip_outbox, with_outbox

Document = dict[str, Any]

ORGANIZATIONS = "organizations"
PEOPLE = "people"
HISTORY = "history"

INDEXES: dict[str, list[IndexModel]] = {
    ORGANIZATIONS: [
        IndexModel([("ogrn", ASCENDING)], unique=True, name="ogrn_unique"),
        IndexModel([("inn", ASCENDING)], name="inn"),
        IndexModel([("search_words", ASCENDING)], name="search_words"),
        IndexModel([("sort_name", ASCENDING)], name="sort_name"),
        IndexModel([("activity_areas", ASCENDING)], name="activity_areas"),
        IndexModel([("status", ASCENDING), ("legal_form", ASCENDING)], name="status_form"),
    ],
    PEOPLE: [
        IndexModel([("organization_ids", ASCENDING)], name="organizations"),
        IndexModel([("person_key", ASCENDING)], name="person_key"),
    ],
    HISTORY: [IndexModel([("came", ASCENDING)], name="came")],
}
OUTBOX_COLLECTIONS: list[str] = [ORGANIZATIONS, PEOPLE]

SORTS = {
    "name": [("sort_name", ASCENDING), ("_id", ASCENDING)],
    "-name": [("sort_name", DESCENDING), ("_id", ASCENDING)],
    "registered_on": [("registered_on", ASCENDING), ("_id", ASCENDING)],
    "-registered_on": [("registered_on", DESCENDING), ("_id", ASCENDING)],
    "created_at": [("created_at", ASCENDING), ("_id", ASCENDING)],
    "-created_at": [("created_at", DESCENDING), ("_id", ASCENDING)],
}


class DuplicateOrganization(Exception):
    """Another organization has this ОГРН or ИНН."""

    def __init__(self, field: str, existing: Document) -> None:
        super().__init__(field)
        self.field = field
        self.existing = existing


@dataclass
class OrganizationFilter:
    q: str | None = None
    activity_area: str | None = None
    legal_form: str | None = None
    status: str | None = None
    city: str | None = None
    source: str | None = None
    socially_oriented: bool | None = None
    never_came: bool = False
    include_unapproved: bool = False
    awaiting_approval: bool = False


class OrganizationRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[ORGANIZATIONS]
        self.history = db[HISTORY]

    async def get(self, organization_id: str) -> Document | None:
        return strip_outbox(await self.collection.find_one({"_id": organization_id}))

    async def by_ogrn(self, ogrn: str) -> Document | None:
        return strip_outbox(await self.collection.find_one({"ogrn": ogrn}))

    async def find_duplicate(
        self, ogrn: str | None, inn: str | None, exclude_id: str | None = None
    ) -> DuplicateOrganization | None:
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

    async def insert(self, doc: Document, *events: CloudEvent) -> None:
        """Insert a new organization with its events; refuses a duplicate ОГРН/ИНН."""
        duplicate = await self.find_duplicate(doc["ogrn"], doc.get("inn"))
        if duplicate:
            raise duplicate
        try:
            await self.collection.insert_one(with_outbox(doc, *events))
        except DuplicateKeyError:  # a concurrent insert won the race
            duplicate = await self.find_duplicate(doc["ogrn"], doc.get("inn"))
            raise duplicate or DuplicateOrganization("ogrn", {"_id": None}) from None

    async def update(
        self,
        organization_id: str,
        expected_updated_at: Any,
        update: Document,
        *events: CloudEvent,
    ) -> Document | None:
        """Apply ``update`` if the document was not changed since it was read (optimistic
        concurrency on ``updated_at``); ``None`` when it was (the caller retries)."""
        result = await self.collection.find_one_and_update(
            {"_id": organization_id, "updated_at": expected_updated_at},
            push_outbox(update, *events),
            return_document=ReturnDocument.AFTER,
        )
        return strip_outbox(result)

    async def raw_update(self, organization_id: str, update: Document) -> Document | None:
        return strip_outbox(
            await self.collection.find_one_and_update(
                {"_id": organization_id}, update, return_document=ReturnDocument.AFTER
            )
        )

    async def query(self, flt: OrganizationFilter) -> Document:
        query: Document = {}
        clauses: list[Document] = []
        if flt.q:
            words = query_words(flt.q)
            if words and all(w.isdigit() for w in words) and len(words) == 1:
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
        if flt.socially_oriented is not None:
            query["socially_oriented"] = flt.socially_oriented
        if flt.awaiting_approval:
            query["approved"] = False
        elif not flt.include_unapproved:
            query["approved"] = True
        if flt.never_came:
            came = await self.history.distinct("_id", {"came": True})
            query["_id"] = {"$nin": came}
        if clauses:
            query["$and"] = clauses
        return query

    async def search(
        self, flt: OrganizationFilter, *, sort: str, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query = await self.query(flt)
        cursor = (
            self.collection.find(query, {"_outbox": 0}).sort(SORTS[sort]).skip(skip).limit(limit)
        )
        items = [doc async for doc in cursor]
        total = await self.collection.count_documents(query)
        return items, total

    async def iterate(self, flt: OrganizationFilter, *, sort: str = "name"):
        query = await self.query(flt)
        async for doc in self.collection.find(query, {"_outbox": 0}).sort(SORTS[sort]):
            yield doc

    async def needs_answers(self) -> tuple[list[Document], int]:
        answered = [
            doc["needs"]
            async for doc in self.collection.find(
                {"approved": True, "needs": {"$ne": None}}, {"needs": 1}
            )
        ]
        total = await self.collection.count_documents({"approved": True})
        return answered, total

    async def history_of(self, organization_id: str) -> Document | None:
        return await self.history.find_one({"_id": organization_id})

    async def forget_person(self, key: str) -> None:
        await self.history.update_many(
            {"person_keys": key}, {"$pull": {"person_keys": key}, "$inc": {"erased_people": 1}}
        )

    async def histories(self, ids: list[str]) -> dict[str, Document]:
        return {doc["_id"]: doc async for doc in self.history.find({"_id": {"$in": ids}})}


class PeopleRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[PEOPLE]

    async def insert(self, doc: Document) -> None:
        await self.collection.insert_one(doc)

    async def get(self, person_id: str) -> Document | None:
        return strip_outbox(await self.collection.find_one({"_id": person_id}))

    async def list(
        self, *, organization_id: str | None, role: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query: Document = {}
        if organization_id:
            query["organization_ids"] = organization_id
        if role:
            query["role"] = role
        cursor = self.collection.find(query, {"_outbox": 0}).sort("created_at", 1)
        items = [d async for d in cursor.skip(skip).limit(limit)]
        return items, await self.collection.count_documents(query)

    async def erase(self, person_id: str, update: Document, event: CloudEvent) -> bool:
        """Erase once: only a record not erased yet is changed (and publishes)."""
        result = await self.collection.update_one(
            {"_id": person_id, "erased_at": None}, push_outbox(update, event)
        )
        return bool(result.modified_count)
