"""The outbox relay: publishes the events embedded in documents, then removes them.

It runs in every service process. A write kicks it so events leave at once; it also
sweeps every ``sweep_seconds`` and at start-up, which is what recovers events left by a
crash between the database write and the publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.storage.outbox import OUTBOX_FIELD, PENDING_FILTER
from nkohub_shared.tracing import publishing

log = logging.getLogger("nkohub.outbox")


class OutboxRelay:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        collections: Sequence[str],
        publisher: EventPublisher,
        *,
        sweep_seconds: float = 2.0,
    ) -> None:
        self._db = db
        self._collections = tuple(collections)
        self._publisher = publisher
        self._sweep_seconds = sweep_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Ask for a sweep now (called after a write that carried events)."""
        self._wake.set()

    def start(self) -> None:
        if self._collections and self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep events, try later
                log.warning("outbox sweep failed, will retry: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._sweep_seconds)

    async def sweep(self) -> int:
        """Publish every pending event once; returns how many were published."""
        published = 0
        for name in self._collections:
            collection = self._db[name]
            cursor = collection.find(PENDING_FILTER, {OUTBOX_FIELD: 1})
            async for document in cursor:
                for entry in document.get(OUTBOX_FIELD, []):
                    with publishing(entry):  # the trace the entry carries (tracing.py)
                        await self._publisher.publish(entry)
                        await collection.update_one(
                            {"_id": document["_id"]},
                            {"$pull": {OUTBOX_FIELD: {"id": entry["id"]}}},
                        )
                        published += 1
                        log.info(
                            "event published",
                            extra={"event_id": entry["id"], "event_type": entry["type"]},
                        )
        return published
