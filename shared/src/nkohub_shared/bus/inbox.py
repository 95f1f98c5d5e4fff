"""Idempotent consumption: a processed-events record per (queue, event id).

The record's ``_id`` is ``<queue>|<event id>`` (unique by construction). A handler runs
only after it has claimed the record; it is marked done after the handler's effect. A
claim whose lease ran out (its consumer died mid-way) may be taken over; effects written
by handlers are idempotent writes, so a takeover after a partial run does no harm.

Records are written in groups: the claims (and the completions) that consumers of one
process ask for while the previous such write is on its way go to MongoDB together, in one
``insert_many`` (one ``update_many``), so a stream of messages costs about two round trips
per group instead of two per message. Each claim still gets its own answer: a duplicate key
in the group sends only that claim down the slow path below.

A claim names its ``owner`` (one handling of one delivery): when MongoDB went away
mid-claim (the insert may have landed, its answer did not), the owner's retry takes its
own claim back at once instead of waiting out the lease.
"""

from __future__ import annotations

import asyncio
import enum
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from nkohub_shared.storage.groups import GroupWrite

COLLECTION = "processed_events"
GROUP_MAX = 500  # records written in one round trip at most
DUPLICATE_KEY = 11000


class Claim(enum.Enum):
    ACQUIRED = "acquired"
    DONE = "done"
    BUSY = "busy"


class Inbox:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], *, lease_seconds: float = 30.0):
        self._records = db[COLLECTION]
        self._lease = timedelta(seconds=lease_seconds)
        self._insert = GroupWrite(self._insert_records, max_items=GROUP_MAX)
        self._complete = GroupWrite(self._complete_records, max_items=GROUP_MAX)

    async def _insert_records(self, records: list[dict[str, Any]]) -> list[bool | Exception]:
        """Insert new claims; per claim, True or the ``DuplicateKeyError`` of its key."""
        try:
            await self._records.insert_many(records, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            duplicates = {int(error["index"]) for error in errors}
            return [
                DuplicateKeyError("claimed already") if i in duplicates else True
                for i in range(len(records))
            ]
        return [True] * len(records)

    async def _complete_records(self, keys: list[str]) -> list[Exception | None]:
        await self._records.update_many(
            {"_id": {"$in": keys}}, {"$set": {"state": "done", "done_at": datetime.now(UTC)}}
        )
        return [None] * len(keys)

    async def claim_when_free(
        self,
        queue: str,
        event_id: str,
        event_type: str,
        *,
        owner: str = "",
        poll_seconds: float = 0.2,
    ) -> Claim:
        """Claim, waiting out another consumer's claim until it is done or its lease ends.

        Waiting here instead of requeueing keeps a busy duplicate from using up the
        message's deliveries (each requeue counts towards ``x-delivery-limit``).
        """
        deadline = time.monotonic() + self._lease.total_seconds() + 1
        claim = await self.claim(queue, event_id, event_type, owner=owner)
        while claim is Claim.BUSY and time.monotonic() < deadline:
            await asyncio.sleep(poll_seconds)
            claim = await self.claim(queue, event_id, event_type, owner=owner)
        return claim

    @staticmethod
    def key(queue: str, event_id: str) -> str:
        return f"{queue}|{event_id}"

    async def claim(self, queue: str, event_id: str, event_type: str, *, owner: str = "") -> Claim:
        key = self.key(queue, event_id)
        now = datetime.now(UTC)
        try:
            await self._insert(
                {
                    "_id": key,
                    "queue": queue,
                    "event_id": event_id,
                    "event_type": event_type,
                    "state": "claimed",
                    "owner": owner,
                    "claimed_at": now,
                    "lease_until": now + self._lease,
                }
            )
            return Claim.ACQUIRED
        except DuplicateKeyError:
            pass
        expired_or_ours: list[dict[str, Any]] = [{"lease_until": {"$lt": now}}]
        if owner:
            expired_or_ours.append({"owner": owner})
        taken = await self._records.find_one_and_update(
            {"_id": key, "state": "claimed", "$or": expired_or_ours},
            {"$set": {"owner": owner, "claimed_at": now, "lease_until": now + self._lease}},
        )
        if taken is not None:
            return Claim.ACQUIRED
        record = await self._records.find_one({"_id": key}, {"state": 1})
        if record is None:  # released between our two reads: try again later
            return Claim.BUSY
        return Claim.DONE if record["state"] == "done" else Claim.BUSY

    async def complete(self, queue: str, event_id: str) -> None:
        await self._complete(self.key(queue, event_id))

    async def release(self, queue: str, event_id: str) -> None:
        await self._records.delete_one({"_id": self.key(queue, event_id), "state": "claimed"})
