"""Storage of view counting: ``view_visits`` (one-day visitor marks), ``view_days`` (per
post and day), ``view_buckets`` (per period, with their reports' outbox) and
``view_imports`` (imported days of the old blog, with theirs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.views import day_key
from nkohub_shared.storage.writer import Outbox


class ViewRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.visits = db["view_visits"]
        self.days = db["view_days"]
        self.buckets = db["view_buckets"]
        self.imports = db["view_imports"]
        self.bucket_writer = outbox.writer(self.buckets)
        self.import_writer = outbox.writer(self.imports)

    async def mark_visit(self, visitor: str, day: date) -> bool:
        """Mark a visitor's visit of the day; ``False`` if it was marked already."""
        try:
            await self.visits.insert_one({"_id": visitor, "day": day.isoformat()})
        except DuplicateKeyError:
            return False
        return True

    async def forget_visits_before(self, day: date) -> None:
        await self.visits.delete_many({"day": {"$lt": day.isoformat()}})

    async def add_day(self, post_id: str, day: date, views: int) -> None:
        await self.days.update_one(
            {"_id": day_key(post_id, day)},
            {
                "$inc": {"views": views},
                "$setOnInsert": {"post_id": post_id, "day": day.isoformat()},
            },
            upsert=True,
        )

    async def add_to_period(self, post_id: str, start: datetime, end: datetime) -> None:
        await self.buckets.update_one(
            {"_id": start.isoformat()},
            {
                "$inc": {f"counts.{post_id}": 1},
                "$setOnInsert": {"start": start, "end": end, "reported": False},
            },
            upsert=True,
        )

    async def unreported_closed(self, closed_by: datetime) -> AsyncIterator[Document]:
        """Periods ended by ``closed_by`` and not reported yet."""
        cursor = self.buckets.find({"reported": False, "end": {"$lte": closed_by}})
        async for bucket in cursor:
            yield bucket

    async def mark_reported(self, period_id: str, now: datetime, report: CloudEvent) -> bool:
        """Record the period's report, unless it was reported already."""
        result = await self.bucket_writer.update(
            {"_id": period_id, "reported": False},
            {"$set": {"reported": True, "reported_at": now}},
            report,
        )
        return bool(result.modified_count)

    async def periods_between(self, start: datetime, end: datetime) -> int:
        """How many counting periods start in [start, end)."""
        return await self.buckets.count_documents({"start": {"$gte": start, "$lt": end}})

    async def insert_imported_day(
        self, day: date, counts: dict[str, int], report: CloudEvent
    ) -> bool:
        """Record an imported day with its report; ``False`` if it was imported already."""
        try:
            await self.import_writer.insert({"_id": day.isoformat(), "counts": counts}, report)
        except DuplicateKeyError:
            return False
        return True

    async def totals_between(self, first: date, last: date) -> dict[str, int]:
        """Views per post in the local days [first, last]."""
        pipeline = [
            {"$match": {"day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}},
            {"$group": {"_id": "$post_id", "views": {"$sum": "$views"}}},
        ]
        return {d["_id"]: d["views"] async for d in await self.days.aggregate(pipeline)}

    async def daily(self, post_id: str, first: date, last: date) -> list[dict[str, Any]]:
        cursor = self.days.find(
            {"post_id": post_id, "day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
        ).sort([("day", 1)])
        return [{"day": d["day"], "views": d["views"]} async for d in cursor]

    async def periods(self, post_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The post's views per counting period starting in [start, end)."""
        cursor = self.buckets.find(
            {"start": {"$gte": start, "$lt": end}, f"counts.{post_id}": {"$exists": True}}
        ).sort([("start", 1)])
        return [{"period_start": b["start"], "views": b["counts"][post_id]} async for b in cursor]
