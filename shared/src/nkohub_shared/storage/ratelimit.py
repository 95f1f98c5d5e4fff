"""Rate-limit counters in MongoDB, shared by every replica of a service.

One document per (limit, key, window): ``$inc`` with an upsert, a single atomic write, so
concurrent hits from several processes are all counted. Keys are stored as HMACs
(``privacy.pseudonym``), never as the addresses themselves. Windows that ended are deleted
now and then (``purge``); no TTL index, which the MongoDB-wire test server lacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.limits import Limit, RateLimited
from nkohub_shared.privacy import pseudonym

COLLECTION = "rate_limits"
INDEXES = {COLLECTION: [IndexModel([("ends_at", ASCENDING)])]}


class RateCounter:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._counts = db[COLLECTION]

    async def hit(self, limit: Limit, key: str, *, now: datetime | None = None) -> int:
        """Count one hit of ``key`` against ``limit``; returns the window's count so far."""
        now = now or datetime.now(UTC)
        start = limit.window_start(now)
        doc = await self._counts.find_one_and_update(
            {"_id": f"{limit.name}|{pseudonym(key)}|{start}"},
            {
                "$inc": {"n": 1},
                "$setOnInsert": {"ends_at": datetime.fromtimestamp(start + limit.per_seconds, UTC)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["n"])

    async def check(
        self,
        limit: Limit,
        key: str,
        message: str,
        *,
        field: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Count a hit; ``RateLimited`` (429, ``Retry-After``) once past ``limit.count``."""
        now = now or datetime.now(UTC)
        if await self.hit(limit, key, now=now) > limit.count:
            raise RateLimited(message, retry_after=limit.retry_after(now), field=field)

    async def purge(self, *, now: datetime | None = None) -> int:
        """Delete the counters of windows that ended; returns how many."""
        result = await self._counts.delete_many({"ends_at": {"$lt": now or datetime.now(UTC)}})
        return result.deleted_count
