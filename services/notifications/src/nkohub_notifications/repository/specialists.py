"""``consultation_slots``: booked consultations with a specialist who has an address
(from ``events.consultation.booked``/``.cancelled``), for the specialists' reminders;
``reminded`` once the group's reminder is queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.storage.writer import Document

COLLECTION = "consultation_slots"
INDEXES = [
    IndexModel([("status", ASCENDING), ("reminded", ASCENDING), ("starts_at", ASCENDING)]),
    IndexModel([("specialist_key", ASCENDING), ("group", ASCENDING)]),
    IndexModel([("contact_key", ASCENDING)]),
]


class ConsultationSlotRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._slots = collection

    async def booked(self, slot: dict[str, Any]) -> None:
        """Remember a booking (a redelivery changes nothing; a cancelled one stays so)."""
        fields = {k: v for k, v in slot.items() if k not in ("_id", "status")}
        await self._slots.update_one(
            {"_id": slot["_id"]},
            {"$setOnInsert": {"status": "booked", "reminded": False, **fields}},
            upsert=True,
        )

    async def cancelled(self, consultation_id: str) -> None:
        await self._slots.update_one(
            {"_id": consultation_id}, {"$set": {"status": "cancelled"}}, upsert=True
        )

    async def due(self, start: datetime, end: datetime) -> list[tuple[str, str]]:
        """(specialist key, group) of booked slots not yet reminded starting in the window."""
        cursor = self._slots.find(
            {"status": "booked", "reminded": False, "starts_at": {"$gt": start, "$lte": end}},
            {"specialist_key": 1, "group": 1},
        )
        return sorted({(d["specialist_key"], d["group"]) async for d in cursor})

    async def of_group(self, specialist_key: str, group: str) -> list[Document]:
        cursor = self._slots.find(
            {"specialist_key": specialist_key, "group": group, "status": "booked"}
        )
        return [d async for d in cursor]

    async def mark_reminded(self, specialist_key: str, group: str) -> None:
        await self._slots.update_many(
            {"specialist_key": specialist_key, "group": group}, {"$set": {"reminded": True}}
        )

    async def delete_of_people(self, person_keys: list[str]) -> int:
        """An erased contact or specialist: their slots go."""
        result = await self._slots.delete_many(
            {
                "$or": [
                    {"contact_key": {"$in": person_keys}},
                    {"specialist_key": {"$in": person_keys}},
                ]
            }
        )
        return result.deleted_count
