"""One sweep of one outbox collection, pipelined (see ``bus.relay``).

Documents are admitted into a window of ``window`` documents in flight. Each admitted
document publishes its events in order, each after the previous one's confirm; once the
last is confirmed (or one failed) the document leaves the window, and the ids confirmed
are pulled out of it by a group commit: the pulls asked for while one is on its way go to
MongoDB together as one ``update_many`` (event ids are unique, so pulling a group's ids
from each of its documents removes from each exactly its own).

A failure (a publish not confirmed, a pull that did not reach MongoDB) closes the window
to new documents; what is in flight finishes and ``finish`` raises the first failure.
Nothing confirmed is lost either way: an event not pulled is published again by a later
sweep, and consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.outbox import OUTBOX_FIELD
from nkohub_shared.tracing import publishing

log = logging.getLogger("nkohub.outbox")

PULL_GROUP_MAX = 500  # documents whose confirmed events one pull removes at most

Confirmed = tuple[Any, list[str]]  # a document's _id and the ids of its confirmed events


class SweepPipeline:
    """Publishes the events of the documents ``admit`` is given, ``window`` at a time."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        publisher: EventPublisher,
        *,
        window: int,
    ) -> None:
        self._collection = collection
        self._publisher = publisher
        self._room = asyncio.Semaphore(window)
        self._tasks: set[asyncio.Task[None]] = set()
        self._failure: Exception | None = None
        self._published = 0
        self._pulls = GroupWrite(self._pull, max_items=PULL_GROUP_MAX)

    async def admit(self, document: dict[str, Any]) -> bool:
        """Wait for room in the window, then start publishing the document's events;
        False (and the document not admitted) once something has failed."""
        await self._room.acquire()
        if self._failure is not None:
            self._room.release()
            return False
        task = asyncio.get_running_loop().create_task(self._document(document))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def finish(self) -> int:
        """Wait for every admitted document (its publishes and its pull); returns how
        many events were published and pulled, or raises the first failure."""
        try:
            while self._tasks:
                await asyncio.wait(set(self._tasks))
        except asyncio.CancelledError:
            self.cancel()
            raise
        if self._failure is not None:
            raise self._failure
        return self._published

    def cancel(self) -> None:
        """Stop what is in flight (the relay is stopping); unpulled events stay."""
        for task in list(self._tasks):
            task.cancel()

    def _failed(self, exc: Exception) -> None:
        if self._failure is None:
            self._failure = exc

    async def _document(self, document: dict[str, Any]) -> None:
        try:
            confirmed = await self._publish_in_order(document)
        finally:
            self._room.release()
        if not confirmed:
            return
        try:
            await self._pulls((document["_id"], confirmed))
        except Exception as exc:  # MongoDB away: published again by a later sweep
            self._failed(exc)
            return
        self._published += len(confirmed)

    async def _publish_in_order(self, document: dict[str, Any]) -> list[str]:
        """Publish one document's events in order; the ids confirmed before the first
        failure (which is recorded and stops the rest)."""
        confirmed: list[str] = []
        for entry in document.get(OUTBOX_FIELD, []):
            with publishing(entry):  # the trace the entry carries (tracing.py)
                try:
                    await self._publisher.publish(entry)
                except Exception as exc:
                    self._failed(exc)
                    return confirmed
            confirmed.append(entry["id"])
            log.info(
                "event published", extra={"event_id": entry["id"], "event_type": entry["type"]}
            )
        return confirmed

    async def _pull(self, items: list[Confirmed]) -> list[Exception | None]:
        await self._collection.update_many(
            {"_id": {"$in": [document_id for document_id, _ in items]}},
            {"$pull": {OUTBOX_FIELD: {"id": {"$in": [i for _, ids in items for i in ids]}}}},
        )
        return [None] * len(items)
