"""Rate-limit counts grouped: the hits of concurrent requests in two round trips.

``BatchedRateCounter`` counts exactly what ``RateCounter`` counts (one document per
limit, key and window, ``$inc`` with an upsert, shared by every replica), but the hits
that arrive while a group is on its way to MongoDB wait for the next group, which is ONE
unordered ``bulk_write`` (each document's ``$inc`` by the number of its hits in the group)
and ONE ``find`` of the counts after. Under load a request's two or three counts cost a
fraction of a round trip instead of one each; a hit alone is one ``find_one_and_update``
as before.

The count each hit is given: the hits of one key in one group are numbered in the order
they arrived, ending at the count read back. Another replica's hits between the write
and the read make it a little higher than exact (the limit bites a hit early, never
late).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from nkohub_shared.limits import Limit, RateLimited
from nkohub_shared.privacy import pseudonym
from nkohub_shared.storage.ratelimit import RateCounter

DUPLICATE_KEY = 11000
UPSERT_RETRIES = 3  # two replicas creating one counter at once: the loser updates it


Check = tuple[Limit, str, str, str | None]  # limit, key, message, field


@dataclass
class _Hit:
    counter_id: str
    ends_at: datetime
    answer: asyncio.Future[int]


class BatchedRateCounter(RateCounter):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        super().__init__(db)
        self._waiting: list[_Hit] = []
        self._task: asyncio.Task[None] | None = None

    async def hit(self, limit: Limit, key: str, *, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        start = limit.window_start(now)
        hit = _Hit(
            f"{limit.name}|{pseudonym(key)}|{start}",
            datetime.fromtimestamp(start + limit.per_seconds, UTC),
            asyncio.get_running_loop().create_future(),
        )
        self._waiting.append(hit)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="rate-counts")
        return await asyncio.shield(hit.answer)

    async def check_all(self, checks: Sequence[Check], *, now: datetime | None = None) -> None:
        """Count a hit of each ``(limit, key, message, field)`` in one group;
        ``RateLimited`` for the first (in order) past its limit. Every check is counted,
        also when an earlier one refuses."""
        now = now or datetime.now(UTC)
        counts = await asyncio.gather(
            *(self.hit(limit, key, now=now) for limit, key, _, _ in checks)
        )
        for (limit, _, message, field), n in zip(checks, counts, strict=True):
            if n > limit.count:
                raise RateLimited(message, retry_after=limit.retry_after(now), field=field)

    async def _drain(self) -> None:
        """Write groups until no hit waits (a new hit meanwhile joins the next group)."""
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                counts = await self._write(group)
            except Exception as exc:  # every hit of the group fails as one would alone
                for hit in group:
                    if not hit.answer.done():
                        hit.answer.set_exception(exc)
                continue
            later: Counter[str] = Counter()
            for hit in reversed(group):  # the last hit of a key gets the count read back
                n = counts.get(hit.counter_id, 0) - later[hit.counter_id]
                later[hit.counter_id] += 1
                if not hit.answer.done():
                    hit.answer.set_result(n)

    async def _write(self, group: list[_Hit]) -> dict[str, int]:
        if len(group) == 1:  # alone: one find_one_and_update, as ``RateCounter`` does
            hit = group[0]
            doc = await self._counts.find_one_and_update(
                {"_id": hit.counter_id},
                {"$inc": {"n": 1}, "$setOnInsert": {"ends_at": hit.ends_at}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            return {hit.counter_id: int(doc["n"])}
        adds: Counter[str] = Counter(hit.counter_id for hit in group)
        ends = {hit.counter_id: hit.ends_at for hit in group}
        pending = list(adds)
        for attempt in range(UPSERT_RETRIES):
            ops = [
                UpdateOne(
                    {"_id": cid},
                    {"$inc": {"n": adds[cid]}, "$setOnInsert": {"ends_at": ends[cid]}},
                    upsert=True,
                )
                for cid in pending
            ]
            try:
                await self._counts.bulk_write(ops, ordered=False)
                break
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if attempt == UPSERT_RETRIES - 1 or any(
                    e.get("code") != DUPLICATE_KEY for e in errors
                ):
                    raise
                pending = [pending[e["index"]] for e in errors]  # the others were counted
        counts: dict[str, int] = {}
        cursor = self._counts.find({"_id": {"$in": list(adds)}}, {"n": 1})
        async for doc in cursor:
            counts[doc["_id"]] = int(doc["n"])
        return counts

    async def close(self) -> None:
        """Wait for the group on its way (at shutdown)."""
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
