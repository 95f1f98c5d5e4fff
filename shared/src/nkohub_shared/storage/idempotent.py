"""Effects applied once per event, in the same single-document write as the change.

The processed-events record (``bus.inbox``) keeps a redelivered event from running its
handler again. It cannot cover a crash *between* a handler's write and that record: on
recovery the handler runs again. Handlers therefore write through ``apply_once``: the
event id rides in the changed document (``_applied``, the last ``APPLIED_KEEP`` ids) and
the write only matches a document that has not seen it, so the re-run changes nothing.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

APPLIED_FIELD = "_applied"
APPLIED_KEEP = 200


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
    guarded = {**filter, APPLIED_FIELD: {"$ne": event_id}}
    push = dict(update.get("$push", {}))
    push[APPLIED_FIELD] = {"$each": [event_id], "$slice": -APPLIED_KEEP}
    try:
        result = await collection.update_one(guarded, {**update, "$push": push}, upsert=upsert)
    except DuplicateKeyError:  # the document exists and has seen this event
        return False
    return bool(result.modified_count or result.upserted_id is not None)
