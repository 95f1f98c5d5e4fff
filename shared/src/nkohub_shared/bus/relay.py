"""The outbox relay: publishes the events embedded in documents, then removes them.

It runs in every service process. A write kicks it so events leave at once; it also
sweeps every ``sweep_seconds`` and at start-up, which is what recovers events left by a
crash between the database write and the publish.

Publishing is pipelined: the relay takes up to ``batch_size`` pending documents at a time,
publishes their events with many publishes in flight on the confirming channel, awaits
the confirms together, and pulls every confirmed event out of its document in one bulk
write. Within one document the events still leave one after another, each after the
previous one's confirm, so a document's events keep the order they were written in.
An event whose publish fails stays in its document (with those after it), for the next
sweep; the confirmed ones of the same batch are pulled all the same.

A kick names the collection written (``kick("registrations")``): the sweep it causes reads
only the collections kicked since the last one, so a registration costs one read of
``registrations``, not of every outbox collection. The timed sweep (and a kick that names
none) reads them all, which is what recovers what a crash left anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.storage.outbox import OUTBOX_FIELD, PENDING_FILTER
from nkohub_shared.tracing import publishing

log = logging.getLogger("nkohub.outbox")

BATCH_SIZE = 500  # documents whose events are in flight at once
# A kick waits this long before its sweep, so that a burst of writes is one sweep (each
# sweep reads every outbox collection: on a server without the sparse index, all of it).
COALESCE_SECONDS = 0.02


class OutboxRelay:
    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        collections: Sequence[str],
        publisher: EventPublisher,
        *,
        sweep_seconds: float = 2.0,
        batch_size: int = BATCH_SIZE,
        coalesce_seconds: float = COALESCE_SECONDS,
    ) -> None:
        self._db = db
        self._collections = tuple(collections)
        self._publisher = publisher
        self._sweep_seconds = sweep_seconds
        self._batch_size = batch_size
        self._coalesce_seconds = coalesce_seconds
        self._wake = asyncio.Event()
        self._dirty: set[str] = set()
        self._everything = True  # the first sweep (start-up) reads every collection
        self._task: asyncio.Task[None] | None = None

    def kick(self, collection: str | None = None) -> None:
        """Ask for a sweep now (called after a write that carried events into
        ``collection``; ``None``: sweep them all)."""
        if collection is None or collection not in self._collections:
            self._everything = True
        else:
            self._dirty.add(collection)
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
            names = None if self._everything else tuple(self._dirty)
            self._everything = False
            self._dirty = set()
            try:
                await self.sweep(names)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep events, try later
                log.warning("outbox sweep failed, will retry: %s", exc)
                self._everything = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._sweep_seconds)
            if not self._wake.is_set():  # the timed sweep: everything
                self._everything = True
            if self._wake.is_set():  # kicked: the writes of the next moment join this sweep
                await asyncio.sleep(self._coalesce_seconds)

    async def sweep(self, collections: Sequence[str] | None = None) -> int:
        """Publish every pending event of ``collections`` (``None``: all) once; returns
        how many were published. Raises the first publish failure after pulling what was
        confirmed before it."""
        published = 0
        for name in self._collections if collections is None else collections:
            collection = self._db[name]
            batch: list[dict[str, Any]] = []
            cursor = collection.find(PENDING_FILTER, {OUTBOX_FIELD: 1}, batch_size=self._batch_size)
            async for document in cursor:
                batch.append(document)
                if len(batch) >= self._batch_size:
                    published += await self._publish_batch(collection, batch)
                    batch = []
            if batch:
                published += await self._publish_batch(collection, batch)
        return published

    async def _publish_batch(
        self, collection: AsyncCollection[dict[str, Any]], documents: list[dict[str, Any]]
    ) -> int:
        """Publish the events of ``documents`` with their confirms awaited together, then
        pull the confirmed ones in one bulk write."""
        outcomes = await asyncio.gather(
            *(self._publish_document(document) for document in documents)
        )
        pulls = [
            UpdateOne({"_id": document["_id"]}, {"$pull": {OUTBOX_FIELD: {"id": {"$in": ids}}}})
            for document, (ids, _) in zip(documents, outcomes, strict=True)
            if ids
        ]
        if pulls:
            await collection.bulk_write(pulls, ordered=False)
        failures = [error for _, error in outcomes if error is not None]
        if failures:
            raise failures[0]
        return sum(len(ids) for ids, _ in outcomes)

    async def _publish_document(
        self, document: dict[str, Any]
    ) -> tuple[list[str], Exception | None]:
        """Publish one document's events in order; the ids confirmed, and the failure
        that stopped the rest (if one did)."""
        confirmed: list[str] = []
        for entry in document.get(OUTBOX_FIELD, []):
            with publishing(entry):  # the trace the entry carries (tracing.py)
                try:
                    await self._publisher.publish(entry)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    return confirmed, exc
                confirmed.append(entry["id"])
                log.info(
                    "event published",
                    extra={"event_id": entry["id"], "event_type": entry["type"]},
                )
        return confirmed, None
