"""The one way a service writes a change together with the events it causes.

Every write that records events goes through an ``EventWriter``: it embeds the events in
the changed document's outbox (one single-document, atomic write), hands back the
document without its outbox, and kicks the relay so the events leave at once. Nothing
else in a service touches ``_outbox`` or the relay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.results import BulkWriteResult, UpdateResult

from nkohub_contracts import CloudEvent
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.outbox import (
    OUTBOX_FIELD,
    push_outbox,
    strip_outbox,
    with_outbox,
)
from nkohub_shared.tracing import stamp as stamp_trace

Document = dict[str, Any]
WITHOUT_OUTBOX: dict[str, int] = {OUTBOX_FIELD: 0}


def _no_kick(collection: str | None = None) -> None:
    """Where no relay runs (a CLI): the running service's sweep publishes the events."""


class Outbox:
    """A process's way to the outbox relay; ``writer(collection)`` for each collection."""

    def __init__(self, kick: Callable[[str | None], None] | None = None) -> None:
        self._kick = kick or _no_kick

    def kick(self, collection: str | None = None) -> None:
        """Ask the relay to sweep ``collection`` (``None``: every outbox collection)."""
        self._kick(collection)

    def writer(self, collection: AsyncCollection[Document]) -> EventWriter:
        return EventWriter(collection, self)


class EventWriter:
    """Writes to one collection, each write with the events it records."""

    def __init__(self, collection: AsyncCollection[Document], outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    def _published(self, events: Sequence[CloudEvent]) -> None:
        if events:
            self._outbox.kick(self.collection.name)

    async def insert(self, document: Document, *events: CloudEvent) -> Document:
        """Insert a new document with its events; returns it without the outbox.
        ``DuplicateKeyError`` propagates (the caller knows what a twin means)."""
        stamp_trace(events)
        await self.collection.insert_one(with_outbox(document, *events) if events else document)
        self._published(events)
        return {k: v for k, v in document.items() if k != OUTBOX_FIELD}

    async def insert_many(self, items: Sequence[tuple[Document, Sequence[CloudEvent]]]) -> int:
        """Insert new documents, each with its own events, in one round trip (ordered:
        the first duplicate key stops the rest and propagates); returns how many."""
        if not items:
            return 0
        stamp_trace([e for _, events in items for e in events])
        await self.collection.insert_many(
            [with_outbox(doc, *events) if events else doc for doc, events in items]
        )
        self._published([e for _, events in items for e in events])
        return len(items)

    async def update(
        self,
        filter: Document,
        update: Document,
        *events: CloudEvent,
        upsert: bool = False,
    ) -> UpdateResult:
        """``update_one`` with events; the events are recorded only if it matched."""
        stamp_trace(events)
        result = await self.collection.update_one(
            filter, push_outbox(update, *events), upsert=upsert
        )
        if result.modified_count or result.upserted_id is not None:
            self._published(events)
        return result

    async def update_each(
        self, items: Sequence[tuple[Document, Document, Sequence[CloudEvent]]]
    ) -> BulkWriteResult:
        """Several ``update``s — (filter, update, events) — in one unordered bulk write:
        each is still its own single-document atomic write whose events are recorded only
        if it matched (a group commit's way to write what many callers asked for)."""
        stamp_trace([e for _, _, events in items for e in events])
        result = await self.collection.bulk_write(
            [UpdateOne(f, push_outbox(u, *events)) for f, u, events in items], ordered=False
        )
        self._published([e for _, _, events in items for e in events])
        return result

    async def find_and_update(
        self,
        filter: Document,
        update: Document,
        *events: CloudEvent,
        before: bool = False,
        upsert: bool = False,
        projection: Document | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Document | None:
        """``find_one_and_update`` with events: the document after (or ``before``) the
        change, without its outbox, or ``None`` when nothing matched."""
        stamp_trace(events)
        result = await self.collection.find_one_and_update(
            filter,
            push_outbox(update, *events),
            projection=projection or WITHOUT_OUTBOX,
            return_document=ReturnDocument.BEFORE if before else ReturnDocument.AFTER,
            upsert=upsert,
            sort=sort,
        )
        if result is not None:
            self._published(events)
        return strip_outbox(result)

    async def apply_once(
        self,
        filter: Document,
        update: Document,
        event_id: str,
        *events: CloudEvent,
        upsert: bool = False,
    ) -> bool:
        """Apply ``update`` (with ``events``) unless the consumed event ``event_id``
        already was (see ``storage.idempotent``); returns whether anything changed."""
        stamp_trace(events)
        changed = await apply_once(
            self.collection, filter, push_outbox(update, *events), event_id, upsert=upsert
        )
        if changed:
            self._published(events)
        return changed
