"""Imports of a ministry file into the registry that the console runs for a person
(collection ``import_jobs``): running, then done with the registry's report, or failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

IMPORT_JOBS = "import_jobs"
Document = dict[str, Any]


class ImportJobRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._jobs = db[IMPORT_JOBS]

    async def insert(self, job: Document) -> None:
        await self._jobs.insert_one(job)

    async def get(self, job_id: str) -> Document | None:
        return await self._jobs.find_one({"_id": job_id})

    async def finish(self, job_id: str, fields: Document) -> None:
        await self._jobs.update_one({"_id": job_id}, {"$set": fields})

    async def recent(self, limit: int = 10) -> list[Document]:
        cursor = self._jobs.find({}).sort("started_at", DESCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def abandon_running(self, before: datetime, now: datetime) -> None:
        """Jobs a stopped process left running are marked failed."""
        await self._jobs.update_many(
            {"status": "running", "started_at": {"$lt": before}},
            {"$set": {"status": "failed", "error": "процесс консоли остановился", "ended_at": now}},
        )
