"""``reminders``: scheduled reminders, one per registration and offset."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from nkohub_notifications.domain.reminders import MOVABLE, Move, ReminderStatus
from nkohub_shared.storage.writer import Document

COLLECTION = "reminders"
INDEXES = [
    IndexModel([("status", ASCENDING), ("due_at", ASCENDING)]),
    IndexModel([("registration_id", ASCENDING)]),
    IndexModel([("meetup_id", ASCENDING)]),
    IndexModel([("person_key", ASCENDING)]),
]


class ReminderRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._reminders = collection

    async def add(self, reminder_id: str, document: Document) -> None:
        """Insert unless it exists (a redelivered confirmation changes nothing)."""
        with contextlib.suppress(DuplicateKeyError):
            await self._reminders.update_one(
                {"_id": reminder_id}, {"$setOnInsert": document}, upsert=True
            )

    async def cancel_pending(
        self, reason: str, *, registration_id: str | None = None, meetup_id: str | None = None
    ) -> int:
        query: Document = {"status": ReminderStatus.PENDING.value}
        if registration_id is not None:
            query["registration_id"] = registration_id
        if meetup_id is not None:
            query["meetup_id"] = meetup_id
        result = await self._reminders.update_many(
            query, {"$set": {"status": ReminderStatus.CANCELLED.value, "reason": reason}}
        )
        return result.modified_count

    async def movable(self, meetup_id: str) -> list[Document]:
        """The meetup's reminders that follow it when it moves (not cancelled)."""
        cursor = self._reminders.find(
            {"meetup_id": meetup_id, "status": {"$in": [s.value for s in MOVABLE]}}
        )
        return [doc async for doc in cursor]

    async def move(self, reminder_id: str, move: Move) -> None:
        await self._reminders.update_one(
            {"_id": reminder_id},
            {
                "$set": {
                    "due_at": move.due_at,
                    "starts_at": move.starts_at,
                    "status": move.status.value,
                }
            },
        )

    async def due(self, at: datetime, *, limit: int) -> list[Document]:
        """Pending reminders due at ``at``, earliest first."""
        cursor = (
            self._reminders.find({"status": ReminderStatus.PENDING.value, "due_at": {"$lte": at}})
            .sort("due_at", 1)
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def finish(self, reminder: Document, status: ReminderStatus, at: datetime) -> bool:
        """Mark a due reminder done, unless it moved meanwhile (its ``due_at`` changed)."""
        result = await self._reminders.update_one(
            {
                "_id": reminder["_id"],
                "status": ReminderStatus.PENDING.value,
                "due_at": reminder["due_at"],
            },
            {"$set": {"status": status.value, "done_at": at}},
        )
        return bool(result.modified_count)

    async def delete_of_people(self, person_keys: list[str]) -> int:
        result = await self._reminders.delete_many({"person_key": {"$in": person_keys}})
        return result.deleted_count
