"""Specialists, slots (a consultation is the booking embedded in its slot) and the
per-organization quotas, in MongoDB.

One booking per slot: the booking is written into the slot with a write conditional on
``booking: null`` (with its event in the same write). The quota document of a (meetup,
organization) holds the active consultation ids and takes one more only while
``holders.<N-1>`` does not exist — one conditional upsert, so concurrent bookings of one
NGO can never pass N.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from nkohub_contracts import CloudEvent
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

Document = dict[str, Any]
DUPLICATE_KEY = 11000


class SpecialistRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["specialists"]

    async def insert(self, specialist: Document) -> None:
        await self.collection.insert_one(specialist)

    async def all(self) -> list[Document]:
        return [s async for s in self.collection.find().sort("name", 1)]

    async def get(self, specialist_id: str) -> Document | None:
        return await self.collection.find_one({"_id": specialist_id})

    async def erase(self, specialist_ids: list[str], fields: Document) -> None:
        await self.collection.update_many({"_id": {"$in": specialist_ids}}, {"$set": fields})


class SlotRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["slots"]
        self.writer = outbox.writer(self.collection)

    async def insert(self, slot: Document, *events: CloudEvent) -> None:
        """``DuplicateKeyError`` when a slot of that id exists."""
        if events:
            await self.writer.insert(slot, *events)
        else:
            await self.collection.insert_one(slot)

    async def get(self, slot_id: str) -> Document | None:
        return await self.collection.find_one({"_id": slot_id}, WITHOUT_OUTBOX)

    async def of_specialist_starting_before(
        self, specialist_id: str, moment: datetime
    ) -> list[Document]:
        cursor = self.collection.find(
            {"specialist._id": specialist_id, "starts_at": {"$lt": moment}}, WITHOUT_OUTBOX
        )
        return [s async for s in cursor]

    async def of_meetup(self, meetup_id: str) -> list[Document]:
        cursor = self.collection.find({"meetup_id": meetup_id}, WITHOUT_OUTBOX).sort("starts_at", 1)
        return [s async for s in cursor]

    async def by_consultation(self, consultation_id: str) -> Document | None:
        """The slot of a consultation, booked there now or cancelled from it."""
        slot = await self.collection.find_one(
            {"booking.consultation_id": consultation_id}, WITHOUT_OUTBOX
        )
        if slot is None:
            slot = await self.collection.find_one(
                {"past_bookings.consultation_id": consultation_id}, WITHOUT_OUTBOX
            )
        return slot

    async def book(self, slot_id: str, booking: Document, event: CloudEvent) -> Document | None:
        """The slot with this booking, if it was free; else ``None``."""
        return await self.writer.find_and_update(
            {"_id": slot_id, "booking": None}, {"$set": {"booking": booking}}, event
        )

    async def change_booking(
        self, slot_id: str, consultation_id: str, update: Document, *events: CloudEvent
    ) -> Document | None:
        """Apply ``update`` while the consultation is still booked in the slot."""
        return await self.writer.find_and_update(
            {
                "_id": slot_id,
                "booking.consultation_id": consultation_id,
                "booking.status": "booked",
            },
            update,
            *events,
        )

    async def count_completed(self, meetup_id: str) -> int:
        return await self.collection.count_documents(
            {"meetup_id": meetup_id, "booking.status": "completed"}
        )

    async def completed_given_between(self, first: str, last: str) -> list[Document]:
        """Slots whose booking was completed on a day from ``first`` to ``last`` (ISO)."""
        cursor = self.collection.find(
            {"booking.status": "completed", "booking.given_on": {"$gte": first, "$lte": last}},
            {"specialist.specialty": 1, "meetup_id": 1, "booking.status": 1, "booking.given_on": 1},
        )
        return [s async for s in cursor]

    async def erase_contacts(self, person_keys: list[str], contact: Document) -> None:
        """The active bookings of these people lose their contact's data and question."""
        fields = {f"booking.contact.{k}": v for k, v in contact.items()}
        await self.collection.update_many(
            {"booking.contact.person_key": {"$in": person_keys}},
            {"$set": {**fields, "booking.question": None}},
        )

    async def with_past_bookings_of(self, person_keys: list[str]) -> list[Document]:
        cursor = self.collection.find(
            {"past_bookings.contact.person_key": {"$in": person_keys}}, {"past_bookings": 1}
        )
        return [s async for s in cursor]

    async def replace_past_bookings(self, slot_id: str, by_position: dict[int, Document]) -> None:
        """Cancelled bookings only ever join the end of the list: positions are stable."""
        fields = {f"past_bookings.{i}": b for i, b in by_position.items()}
        await self.collection.update_one({"_id": slot_id}, {"$set": fields})

    async def erase_specialists(self, specialist_ids: list[str], fields: Document) -> None:
        """The copies of these specialists in slots."""
        await self.collection.update_many(
            {"specialist._id": {"$in": specialist_ids}},
            {"$set": {f"specialist.{k}": v for k, v in fields.items()}},
        )


class QuotaRepository:
    """Holds of at most N places: consultation quotas (``consultation_quotas``: per NGO,
    per contact address, per client address at a meetup) and the registrations a client
    address holds at a meetup (``registration_holds``)."""

    def __init__(self, db: AsyncDatabase[Document], collection: str = "consultation_quotas"):
        self.collection = db[collection]
        # the takes of one moment (a rush of registrations) are one unordered bulk write
        self._takes = GroupWrite(self._take_group, max_items=500)

    async def take(self, quota_id: str, holder_id: str, limit: int) -> bool:
        """One more place in the quota, unless it holds ``limit`` already (a holder that
        holds a place already keeps it: taking again is harmless)."""
        return await self._takes((quota_id, holder_id, limit))

    async def _take_group(self, takes: list[tuple[str, str, int]]) -> list[bool | Exception]:
        """Each take one conditional upsert, as alone; a duplicate key (the quota exists
        and is full) refuses only its own take."""
        ops = [
            UpdateOne(
                {"_id": quota_id, f"holders.{limit - 1}": {"$exists": False}},
                {"$addToSet": {"holders": holder_id}},
                upsert=True,
            )
            for quota_id, holder_id, limit in takes
        ]
        try:
            await self.collection.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            results: list[bool | Exception] = [True] * len(takes)
            for error in exc.details.get("writeErrors", []):
                i = int(error["index"])
                if error.get("code") == DUPLICATE_KEY:
                    results[i] = False  # the quota exists and is full
                else:
                    results[i] = RuntimeError(error.get("errmsg", "write failed"))
            return results
        return [True] * len(takes)

    async def give_back(self, quota_id: str, holder_id: str) -> None:
        await self.collection.update_one({"_id": quota_id}, {"$pull": {"holders": holder_id}})
