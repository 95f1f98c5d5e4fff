"""``meetup_speakers``: a meetup's speakers with a contact address (from
``events.meetup.speakers_listed``), one document per speaker and meetup, for the
speakers' reminders; ``reminded_for`` names the start whose reminder is queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.storage.writer import Document

COLLECTION = "meetup_speakers"
INDEXES = [
    IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
    IndexModel([("meetup_id", ASCENDING)]),
    IndexModel([("speaker_key", ASCENDING)]),
]


class SpeakerRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._speakers = collection

    async def replace_list(
        self, meetup_id: str, listed_at: datetime, docs: list[dict[str, Any]]
    ) -> bool:
        """The meetup's speakers become ``docs``, unless a newer list was applied (a late
        or redelivered event changes nothing); whether it was applied."""
        newer = await self._speakers.find_one(
            {"meetup_id": meetup_id, "listed_at": {"$gt": listed_at}}, {"_id": 1}
        )
        if newer is not None:
            return False
        for doc in docs:
            fields = {k: v for k, v in doc.items() if k != "_id"}
            await self._speakers.update_one({"_id": doc["_id"]}, {"$set": fields}, upsert=True)
        await self._speakers.delete_many(
            {"meetup_id": meetup_id, "_id": {"$nin": [d["_id"] for d in docs]}}
        )
        return True

    async def due(self, start: datetime, end: datetime) -> list[Document]:
        """Speakers of scheduled meetups starting in the window, not reminded for that start."""
        cursor = self._speakers.find(
            {"status": "scheduled", "starts_at": {"$gt": start, "$lte": end}}
        )
        return [d async for d in cursor if d.get("reminded_for") != d["starts_at"]]

    async def mark_reminded(self, speaker_id: str, starts_at: datetime) -> None:
        await self._speakers.update_one(
            {"_id": speaker_id, "starts_at": starts_at}, {"$set": {"reminded_for": starts_at}}
        )

    async def delete_of_people(self, person_keys: list[str]) -> int:
        """An erased speaker: their documents go."""
        result = await self._speakers.delete_many({"speaker_key": {"$in": person_keys}})
        return result.deleted_count
