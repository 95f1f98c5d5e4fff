"""Effects applied once per event, in the same single-document write as the change.

The processed-events record (``bus.inbox``) keeps a redelivered event from running its
handler again. It cannot cover a crash *between* a handler's write and that record: on
recovery the handler runs again. Handlers therefore write through ``apply_once``: the
event id rides in the changed document (``_applied``, the last ``APPLIED_KEEP`` ids) and
the write only matches a document that has not seen it, so the re-run changes nothing.

Such a write is also all the idempotency a handler needs: a consumer's handler registered
with ``EventConsumer.on(..., idempotent=True)`` skips the processed-events record (two
writes per event) and relies on its ``apply_once`` alone, one write per event.
``ApplyOnce`` groups those writes: the ``apply_once`` calls on one collection that arrive
while a group is on its way go to MongoDB together, in one unordered ``bulk_write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from nkohub_shared.storage.groups import GroupWrite

APPLIED_FIELD = "_applied"
APPLIED_KEEP = 200
DUPLICATE_KEY = 11000
GROUP_MAX = 500


def _guarded(
    filter: dict[str, Any], update: dict[str, Any], event_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    push = dict(update.get("$push", {}))
    push[APPLIED_FIELD] = {"$each": [event_id], "$slice": -APPLIED_KEEP}
    return {**filter, APPLIED_FIELD: {"$ne": event_id}}, {**update, "$push": push}


async def apply_once(
    collection: AsyncCollection[dict[str, Any]],
    filter: dict[str, Any],
    update: dict[str, Any],
    event_id: str,
    *,
    upsert: bool = False,
) -> bool:
    """Apply ``update`` to the one document matching ``filter`` unless ``event_id`` already
    was; returns whether it changed anything. ``filter`` should name the document by a
    unique key (``_id``) so that an upsert cannot create a twin."""
    guarded, update = _guarded(filter, update, event_id)
    try:
        result = await collection.update_one(guarded, update, upsert=upsert)
    except DuplicateKeyError:  # the document exists and has seen this event
        return False
    return bool(result.modified_count or result.upserted_id is not None)


@dataclass(frozen=True)
class _Write:
    filter: dict[str, Any]
    update: dict[str, Any]
    upsert: bool


class ApplyOnce:
    """``apply_once`` on one collection, grouped: ``await group(filter, update, event_id)``
    returns once the write (or the finding that the event was applied already) is in
    MongoDB. Writes of one group carry no order among themselves (events carry none)."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection
        self._group = GroupWrite(self._write, max_items=GROUP_MAX)

    async def __call__(
        self,
        filter: dict[str, Any],
        update: dict[str, Any],
        event_id: str,
        *,
        upsert: bool = False,
    ) -> None:
        guarded, update = _guarded(filter, update, event_id)
        await self._group(_Write(guarded, update, upsert))

    async def _write(self, writes: list[_Write]) -> list[Exception | None]:
        ops = [UpdateOne(w.filter, w.update, upsert=w.upsert) for w in writes]
        try:
            await self.collection.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:  # a duplicate key: that document has seen the event
            failed = {
                int(e["index"]): e
                for e in exc.details.get("writeErrors", [])
                if e.get("code") != DUPLICATE_KEY
            }
            return [
                RuntimeError(failed[i].get("errmsg", "write failed")) if i in failed else None
                for i in range(len(writes))
            ]
        return [None] * len(writes)
