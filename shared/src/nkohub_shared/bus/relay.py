"""The outbox relay: publishes the events embedded in documents, then removes them.

It runs in every service process. A write kicks it so events leave at once; it also
sweeps every ``sweep_seconds`` and at start-up, which is what recovers events left by a
crash between the database write and the publish.

Publishing is pipelined (``relay_pipeline.SweepPipeline``): the relay reads the pending
documents of a collection with one cursor and keeps up to ``batch_size`` of them in flight
on the confirming channel — a document leaves the window as soon as its publishes are
confirmed, and the next one read takes its place, so reading, publishing, confirming and
removing overlap instead of following one another batch by batch. Within one document the
events still leave one after another, each after the previous one's confirm, so a
document's events keep the order they were written in. The confirmed events are pulled
out of their documents in group commits (one ``update_many`` for whatever was confirmed
while the previous pull was on its way). An event whose publish fails stays in its
document (with those after it), for the next sweep; the relay reads no further, lets what
is in flight finish, pulls what was confirmed and raises the failure.

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

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.bus.relay_pipeline import SweepPipeline
from nkohub_shared.storage.outbox import OUTBOX_FIELD, PENDING_FILTER

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
            pipeline = SweepPipeline(collection, self._publisher, window=self._batch_size)
            cursor = collection.find(PENDING_FILTER, {OUTBOX_FIELD: 1}, batch_size=self._batch_size)
            try:
                async for document in cursor:
                    if not await pipeline.admit(document):
                        break  # something failed: read no further
            except asyncio.CancelledError:
                pipeline.cancel()
                raise
            except Exception:  # the read failed: still pull what was confirmed
                with contextlib.suppress(Exception):
                    await pipeline.finish()
                raise
            finally:
                await cursor.close()
            published += await pipeline.finish()  # raises the first failure
        return published
