"""Storage of the staff-maintained lists: ``competitions`` (the grants calendar, with the
outbox of its deadline reminders), ``foundations`` and ``documents``."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent
from nkohub_publishing.domain import Document
from nkohub_shared.storage.idempotent import APPLIED_FIELD
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

HIDDEN = {**WITHOUT_OUTBOX, APPLIED_FIELD: 0}


class CatalogueRepository:
    """One list: its entries in a fixed order."""

    def __init__(self, db: AsyncDatabase[Document], name: str, sort: list[tuple[str, int]]):
        self.collection = db[name]
        self.name = name
        self.sort = sort

    async def insert(self, entry: Document) -> None:
        await self.collection.insert_one(entry)

    async def get(self, entry_id: str) -> Document | None:
        return await self.collection.find_one({"_id": entry_id}, HIDDEN)

    async def change(self, entry_id: str, changes: Document) -> Document | None:
        """Set ``changes``; the entry after, or ``None`` if there is none."""
        return await self.collection.find_one_and_update(
            {"_id": entry_id},
            {"$set": changes},
            projection=HIDDEN,
            return_document=ReturnDocument.AFTER,
        )

    async def delete(self, entry_id: str) -> bool:
        return (await self.collection.delete_one({"_id": entry_id})).deleted_count > 0

    async def all(self, query: Document | None = None, limit: int = 500) -> list[Document]:
        cursor = self.collection.find(query or {}, HIDDEN).sort(self.sort).limit(limit)
        return [d async for d in cursor]


class CompetitionRepository(CatalogueRepository):
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        super().__init__(db, "competitions", [("closes_at", ASCENDING)])
        self.writer = outbox.writer(self.collection)

    async def upcoming(self, now: datetime, limit: int = 500) -> list[Document]:
        """Open competitions, nearest deadline first."""
        return await self.all({"closes_at": {"$gte": now}}, limit)

    async def past(self, now: datetime, limit: int = 100) -> list[Document]:
        """Closed competitions, latest deadline first."""
        cursor = (
            self.collection.find({"closes_at": {"$lt": now}}, HIDDEN)
            .sort([("closes_at", DESCENDING)])
            .limit(limit)
        )
        return [d async for d in cursor]

    async def closing_within(self, now: datetime, horizon: timedelta) -> list[Document]:
        """Competitions whose deadline is after ``now`` and at most ``horizon`` away."""
        cursor = self.collection.find({"closes_at": {"$gt": now, "$lte": now + horizon}}, HIDDEN)
        return [d async for d in cursor]

    async def record_reminder(self, competition: Document, mark: int, reminder: CloudEvent) -> bool:
        """Record reminder ``mark`` with its event, on the condition that the deadline is
        unchanged and the mark not there yet: it goes out once, whoever gets there first."""
        result = await self.writer.update(
            {
                "_id": competition["_id"],
                "closes_at": competition["closes_at"],
                "reminders_sent": {"$ne": mark},
            },
            {"$addToSet": {"reminders_sent": mark}},
            reminder,
        )
        return bool(result.modified_count)


def foundation_repository(db: AsyncDatabase[Document]) -> CatalogueRepository:
    return CatalogueRepository(db, "foundations", [("name", ASCENDING)])


def document_repository(db: AsyncDatabase[Document]) -> CatalogueRepository:
    return CatalogueRepository(db, "documents", [("issued_on", DESCENDING), ("title", ASCENDING)])
