"""One sweep of one outbox collection, pipelined (see ``bus.relay``).

Documents are admitted into a window of ``window`` documents in flight. Each admitted
document publishes its events in order, each after the previous one's confirm; once the
last is confirmed (or one failed) the document leaves the window, and the ids confirmed
wait to be pulled out of it: every ``PULL_GROUP`` documents (and the rest at the end) are
one ``update_many``, written while the window goes on publishing (event ids are unique,
so pulling a group's ids from each of its documents removes from each exactly its own).

A failure (a publish not confirmed, a pull that did not reach MongoDB) closes the window
to new documents; what is in flight finishes and ``finish`` raises the first failure.
Nothing confirmed is lost either way: an event not pulled is published again by a later
sweep, and consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.storage.outbox import OUTBOX_FIELD
from nkohub_shared.tracing import publishing

log = logging.getLogger("nkohub.outbox")

PULL_GROUP = 250  # documents whose confirmed events one pull removes

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
        self._tasks: set[asyncio.Task[None]] = set()  # documents in flight
        self._pulls: set[asyncio.Task[None]] = set()
        self._unpulled: list[Confirmed] = []
        self._failure: Exception | None = None
        self._published = 0

    async def admit(self, document: dict[str, Any]) -> bool:
        """Wait for room in the window, then start publishing the document's events;
        False (and the document not admitted) once something has failed."""
        await self._room.acquire()
        if self._failure is not None:
            self._room.release()
            return False
        _keep(self._tasks, self._document(document))
        return True

    async def finish(self) -> int:
        """Wait for every admitted document (its publishes and its pull); returns how
        many events were published and pulled, or raises the first failure."""
        try:
            while self._tasks:
                await asyncio.wait(set(self._tasks))
            self._pull_confirmed()
            while self._pulls:
                await asyncio.wait(set(self._pulls))
        except asyncio.CancelledError:
            self.cancel()
            raise
        if self._failure is not None:
            raise self._failure
        return self._published

    def cancel(self) -> None:
        """Stop what is in flight (the relay is stopping); unpulled events stay."""
        for task in [*self._tasks, *self._pulls]:
            task.cancel()

    def _failed(self, exc: Exception) -> None:
        if self._failure is None:
            self._failure = exc

    async def _document(self, document: dict[str, Any]) -> None:
        try:
            confirmed = await self._publish_in_order(document)
        finally:
            self._room.release()
        if confirmed:
            self._unpulled.append((document["_id"], confirmed))
            if len(self._unpulled) >= PULL_GROUP:
                self._pull_confirmed()

    def _pull_confirmed(self) -> None:
        if self._unpulled:
            items, self._unpulled = self._unpulled, []
            _keep(self._pulls, self._pull(items))

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
                log.info(  # in the entry's trace, as the publish was
                    "event published",
                    extra={"event_id": entry["id"], "event_type": entry["type"]},
                )
        return confirmed

    async def _pull(self, items: list[Confirmed]) -> None:
        ids = [i for _, confirmed in items for i in confirmed]
        try:
            await self._collection.update_many(
                {"_id": {"$in": [document_id for document_id, _ in items]}},
                {"$pull": {OUTBOX_FIELD: {"id": {"$in": ids}}}},
            )
        except Exception as exc:  # MongoDB away: published again by a later sweep
            self._failed(exc)
            return
        self._published += len(ids)


def _keep(tasks: set[asyncio.Task[None]], step: Coroutine[Any, Any, None]) -> None:
    """Run ``step`` as a task held in ``tasks`` until it is done (named as the relay's, so
    that what it sends can be told from a request's)."""
    task = asyncio.get_running_loop().create_task(step, name="outbox-relay:step")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
