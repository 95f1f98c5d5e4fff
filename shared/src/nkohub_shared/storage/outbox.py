"""The transactional outbox, embedded in the changed document.

A state change and the events it causes are ONE single-document write: the pending
envelopes ride in the document's ``_outbox`` array. The relay (``nkohub_shared.bus.relay``)
publishes them with publisher confirms and then pulls them out. A crash in between
leaves them in place for the next sweep; consumers are idempotent, so a republished
event has no second effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent

OUTBOX_FIELD = "_outbox"
# Documents with events still to publish. On MongoDB the sparse index below holds only
# those documents, so a sweep does not read the whole collection.
PENDING_FILTER: dict[str, Any] = {f"{OUTBOX_FIELD}.id": {"$exists": True}}
PENDING_INDEX = IndexModel([(f"{OUTBOX_FIELD}.id", ASCENDING)], sparse=True, name="pending_events")


def outbox_entries(*events: CloudEvent) -> list[dict[str, Any]]:
    return [event.model_dump(mode="json", exclude_none=True) for event in events]


def with_outbox(document: dict[str, Any], *events: CloudEvent) -> dict[str, Any]:
    """A new document to insert, carrying its events."""
    return {**document, OUTBOX_FIELD: outbox_entries(*events)}


def push_outbox(update: dict[str, Any], *events: CloudEvent) -> dict[str, Any]:
    """Add the events to an update document (``$set`` etc.) as one atomic write."""
    if not events:
        return update
    merged = dict(update)
    push = dict(merged.get("$push", {}))
    push[OUTBOX_FIELD] = {"$each": outbox_entries(*events)}
    merged["$push"] = push
    return merged


def strip_outbox(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is not None:
        document.pop(OUTBOX_FIELD, None)
    return document


async def outbox_backlog(
    db: AsyncDatabase[dict[str, Any]], collections: Sequence[str]
) -> tuple[int, float]:
    """How many events wait in the outboxes of ``collections``, and the age in seconds of
    the oldest (0 when none wait)."""
    pipeline: list[dict[str, Any]] = [
        {"$match": PENDING_FILTER},
        {
            "$project": {
                "n": {"$size": f"${OUTBOX_FIELD}"},
                "oldest": {"$min": f"${OUTBOX_FIELD}.time"},
            }
        },
        {"$group": {"_id": None, "n": {"$sum": "$n"}, "oldest": {"$min": "$oldest"}}},
    ]
    pending = 0
    oldest: datetime | None = None
    for name in collections:
        async for row in await db[name].aggregate(pipeline):
            pending += int(row.get("n") or 0)
            if row.get("oldest"):
                written = datetime.fromisoformat(str(row["oldest"]))
                oldest = written if oldest is None else min(oldest, written)
    age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
    return pending, max(age, 0.0)
