"""Attendances in MongoDB: the id is "meetup:person", so one per person per meetup."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

Document = dict[str, Any]


class AttendanceRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["attendances"]
        self.writer = outbox.writer(self.collection)

    async def record(self, attendance: Document, event: CloudEvent) -> bool:
        """Whether it is new; recording the same person at the same meetup twice is one."""
        try:
            await self.writer.insert(attendance, event)
        except DuplicateKeyError:
            return False
        return True

    async def of_meetups(self, meetup_ids: list[str]) -> list[Document]:
        cursor = self.collection.find({"meetup_id": {"$in": meetup_ids}}, WITHOUT_OUTBOX)
        return [a async for a in cursor]

    async def erase(self, person_keys: list[str], fields: Document) -> None:
        await self.collection.update_many({"person_key": {"$in": person_keys}}, {"$set": fields})
