"""The ``history`` read model: one document per organization id (see ``domain.history``).

Every write of a consumed event goes through ``apply_once``, so a handler re-run after a
crash changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_registry.repository.collections import HISTORY, Document
from nkohub_shared.storage.idempotent import apply_once


def _key(value: str) -> str:
    """A map key safe for MongoDB field paths."""
    return value.replace(".", "_").replace("$", "_")


class HistoryRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db[HISTORY]

    async def record_attendance(
        self,
        organization_id: str,
        *,
        meetup_id: str,
        meetup: dict[str, Any],
        person_key: str | None,
        checked_in_at: datetime,
        event_id: str,
    ) -> None:
        """The meetup attended, and the person's key unless it is ``None`` (erased)."""
        update: Document = {
            "$set": {f"meetups.{_key(meetup_id)}": meetup, "came": True},
            "$max": {"last_attended_at": checked_in_at},
        }
        if person_key is not None:
            update["$addToSet"] = {"person_keys": person_key}
        await apply_once(self.collection, {"_id": organization_id}, update, event_id, upsert=True)

    async def record_presentation(
        self,
        organization_id: str,
        *,
        meetup_id: str,
        presentation: dict[str, Any],
        came: bool,
        event_id: str,
    ) -> None:
        fields: Document = {f"presentations.{_key(meetup_id)}": presentation}
        if came:
            fields["came"] = True
        await apply_once(
            self.collection, {"_id": organization_id}, {"$set": fields}, event_id, upsert=True
        )

    async def drop_presentations(self, meetup_id: str, *, keep: set[str], event_id: str) -> None:
        """Remove this meetup's presentation from every organization not in ``keep``."""
        field = f"presentations.{_key(meetup_id)}"
        async for doc in self.collection.find({field: {"$exists": True}}, {"_id": 1}):
            if doc["_id"] not in keep:
                await apply_once(
                    self.collection, {"_id": doc["_id"]}, {"$unset": {field: ""}}, event_id
                )

    async def record_consultation(
        self,
        organization_id: str,
        *,
        consultation_id: str,
        consultation: dict[str, Any],
        event_id: str,
    ) -> None:
        await apply_once(
            self.collection,
            {"_id": organization_id},
            {"$set": {f"consultations.{_key(consultation_id)}": consultation, "came": True}},
            event_id,
            upsert=True,
        )

    async def get(self, organization_id: str) -> Document | None:
        return await self.collection.find_one({"_id": organization_id})

    async def of(self, organization_ids: list[str]) -> dict[str, Document]:
        query = {"_id": {"$in": organization_ids}}
        return {doc["_id"]: doc async for doc in self.collection.find(query)}

    async def came(self) -> list[str]:
        """Ids of the organizations that ever came (attended, presented, consulted)."""
        return await self.collection.distinct("_id", {"came": True})

    async def forget_person(self, key: str) -> None:
        """An erased person's key leaves every history; the count of people stays."""
        await self.collection.update_many(
            {"person_keys": key}, {"$pull": {"person_keys": key}, "$inc": {"erased_people": 1}}
        )
