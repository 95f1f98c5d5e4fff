"""Storage of the grants calendar (competitions), foundations and official documents,
and the deadline reminders (``publishing.grant.deadline_approaching``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_publishing import domain
from nkohub_publishing.repository.base import Document, new_id, now_utc
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.publishing import GrantDeadlineApproaching
from nkohub_shared.errors import InvalidInput, NotFound
from nkohub_shared.storage.outbox import OUTBOX_FIELD, push_outbox

HIDDEN = {OUTBOX_FIELD: 0, "_applied": 0}


class Catalogue:
    """CRUD of one staff-maintained list (competitions, foundations or documents)."""

    def __init__(self, db: AsyncDatabase[Document], name: str, sort: list[tuple[str, int]]):
        self.collection = db[name]
        self.name = name
        self.sort = sort

    async def create(self, fields: BaseModel) -> Document:
        doc = {"_id": new_id(), **fields.model_dump(mode="json", exclude_none=True)}
        doc = _dates(doc)
        doc["created_at"] = doc["updated_at"] = now_utc()
        await self.collection.insert_one(doc)
        doc.pop(OUTBOX_FIELD, None)
        return doc

    async def get(self, item_id: str) -> Document:
        doc = await self.collection.find_one({"_id": item_id}, HIDDEN)
        if doc is None:
            raise NotFound(f"no {self.name[:-1]} {item_id}", field="id")
        return doc

    async def update(self, item_id: str, fields: BaseModel, extra: Document | None = None):
        changes = _dates(fields.model_dump(mode="json", exclude_unset=True))
        changes.update(extra or {})
        changes["updated_at"] = now_utc()
        doc = await self.collection.find_one_and_update(
            {"_id": item_id},
            {"$set": changes},
            projection=HIDDEN,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise NotFound(f"no {self.name[:-1]} {item_id}", field="id")
        return doc

    async def delete(self, item_id: str) -> None:
        if (await self.collection.delete_one({"_id": item_id})).deleted_count == 0:
            raise NotFound(f"no {self.name[:-1]} {item_id}", field="id")

    async def all(self, query: Document | None = None, limit: int = 500) -> list[Document]:
        cursor = self.collection.find(query or {}, HIDDEN).sort(self.sort).limit(limit)
        return [d async for d in cursor]


_DATE_FIELDS = ("opens_at", "closes_at", "results_at")


def _dates(doc: Document) -> Document:
    """Times come back from ``model_dump(mode="json")`` as strings: store them as dates."""
    for key in _DATE_FIELDS:
        if isinstance(doc.get(key), str):
            doc[key] = datetime.fromisoformat(doc[key])
    return doc


class Competitions(Catalogue):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        super().__init__(db, "competitions", [("closes_at", ASCENDING)])

    @staticmethod
    def check_window(doc: Document) -> None:
        opens, closes, results = (doc.get(k) for k in _DATE_FIELDS)
        if opens and closes and opens > closes:
            raise InvalidInput("the window opens after it closes", field="opens_at")
        if results and closes and results < closes:
            raise InvalidInput("results cannot come before the deadline", field="results_at")

    async def create(self, fields: BaseModel) -> Document:
        self.check_window(fields.model_dump())
        return await super().create(fields)

    async def update(self, item_id: str, fields: BaseModel, extra: Document | None = None):
        current = await self.get(item_id)
        merged = {**current, **fields.model_dump(exclude_unset=True)}
        self.check_window(merged)
        reset: Document = {}
        if "closes_at" in fields.model_fields_set and merged["closes_at"] != current["closes_at"]:
            reset["reminders_sent"] = []  # a moved deadline is announced anew
        return await super().update(item_id, fields, reset)

    async def upcoming(self, now: datetime, limit: int = 500) -> list[Document]:
        return await self.all({"closes_at": {"$gte": now}}, limit)

    async def past(self, now: datetime, limit: int = 100) -> list[Document]:
        cursor = (
            self.collection.find({"closes_at": {"$lt": now}}, HIDDEN)
            .sort([("closes_at", -1)])
            .limit(limit)
        )
        return [d async for d in cursor]

    async def send_due_reminders(
        self, now: datetime, days_before: list[int], base_url: str
    ) -> list[tuple[str, int]]:
        """Announce approaching deadlines. Each (competition, mark) goes out once: the mark
        is recorded in the same write that carries the event, on the condition that it is
        not there yet, so restarts and concurrent processes cannot send it twice."""
        sent: list[tuple[str, int]] = []
        horizon = max(days_before, default=0)
        from datetime import timedelta

        cursor = self.collection.find(
            {"closes_at": {"$gt": now, "$lte": now + timedelta(days=horizon)}}
        )
        async for comp in cursor:
            done = comp.get("reminders_sent", [])
            for mark in domain.deadline_marks_due(comp["closes_at"], now, days_before, done):
                event = new_event(
                    GrantDeadlineApproaching(
                        competition_id=comp["_id"],
                        name=comp["name"],
                        operator=comp["operator"],
                        closes_at=comp["closes_at"],
                        days_left=domain.days_left(comp["closes_at"], now),
                        url=comp.get("url") or f"{base_url}/grants",
                        max_amount=comp.get("max_amount"),
                        reminder_days=mark,
                    )
                )
                result = await self.collection.update_one(
                    {
                        "_id": comp["_id"],
                        "closes_at": comp["closes_at"],
                        "reminders_sent": {"$ne": mark},
                    },
                    push_outbox({"$addToSet": {"reminders_sent": mark}}, event),
                )
                if result.modified_count:
                    sent.append((comp["_id"], mark))
        return sent


def foundations(db: AsyncDatabase[Document]) -> Catalogue:
    return Catalogue(db, "foundations", [("name", ASCENDING)])


def documents(db: AsyncDatabase[Document]) -> Catalogue:
    return Catalogue(db, "documents", [("issued_on", -1), ("title", ASCENDING)])


def public(doc: Document) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in ("_id", OUTBOX_FIELD, "_applied")}
    return {"id": doc["_id"], **out}
