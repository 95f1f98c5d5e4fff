"""The seat ledger inside the meetup document: hard capacity under any concurrency.

The meetup holds ``confirmed`` (a counter), ``seats`` (the ids of the registrations
holding a seat), ``waitlist`` (ids, in order) and ``waiting`` (its length when last
joined). Every change is ONE conditional single-document update, so ``confirmed`` never
passes the seat limit however many requests race (the database serialises writes to one
document; no transaction is needed), nobody jumps the queue while people wait, and the
same registration never holds two places.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.storage.writer import WITHOUT_OUTBOX

Document = dict[str, Any]


def _guard(m: Document, registration_id: str) -> Document:
    """The meetup as the caller computed the limit (and the registration's event) from —
    its status, capacity and, when it has one, the ``sequence`` every edit moves — not
    holding this registration. A caller working from an old copy of the meetup (a cache)
    finds no place and reads the ledger again."""
    guard = {
        "_id": m["_id"],
        "status": "scheduled",
        "capacity": m["capacity"],
        "reserved_seats": m.get("reserved_seats", 0),
        "seats": {"$ne": registration_id},
        "waitlist": {"$ne": registration_id},
    }
    if "sequence" in m:
        guard["sequence"] = m["sequence"]
    return guard


class SeatRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["meetups"]

    async def ledger(self, meetup_id: str) -> Document | None:
        return await self.collection.find_one({"_id": meetup_id}, WITHOUT_OUTBOX)

    async def waitlist(self, meetup_id: str) -> list[str]:
        m = await self.collection.find_one({"_id": meetup_id}, {"waitlist": 1})
        return (m or {}).get("waitlist", [])

    async def take_seat(self, m: Document, registration_id: str, limit: int) -> bool:
        """A seat, if one is free and nobody waits."""
        taken = await self.collection.find_one_and_update(
            {
                **_guard(m, registration_id),
                "confirmed": {"$lt": limit},
                "waitlist.0": {"$exists": False},
            },
            {"$inc": {"confirmed": 1}, "$push": {"seats": registration_id}},
            projection={"_id": 1},
        )
        return taken is not None

    async def join_waitlist(self, m: Document, registration_id: str, limit: int) -> Document | None:
        """The end of the waitlist, if the meetup is full or others wait already; the
        ledger's ``waiting`` (our place) and ``confirmed`` after joining, or ``None``."""
        return await self.collection.find_one_and_update(
            {
                **_guard(m, registration_id),
                "$or": [{"confirmed": {"$gte": limit}}, {"waitlist.0": {"$exists": True}}],
            },
            {"$push": {"waitlist": registration_id}, "$inc": {"waiting": 1}},
            projection={"waiting": 1, "confirmed": 1},
            return_document=ReturnDocument.AFTER,
        )

    async def promote_head(self, m: Document, registration_id: str, limit: int) -> bool:
        """Move the waitlist's head to a seat, if it is still the head and a seat is free."""
        moved = await self.collection.update_one(
            {
                "_id": m["_id"],
                "status": "scheduled",
                "capacity": m["capacity"],
                "reserved_seats": m.get("reserved_seats", 0),
                "confirmed": {"$lt": limit},
                "waitlist.0": registration_id,
            },
            {
                "$pop": {"waitlist": -1},
                "$push": {"seats": registration_id},
                "$inc": {"confirmed": 1, "waiting": -1},
            },
        )
        return moved.modified_count > 0

    async def release_seat(self, meetup_id: str, registration_id: str) -> None:
        await self.collection.update_one(
            {"_id": meetup_id, "seats": registration_id},
            {"$pull": {"seats": registration_id}, "$inc": {"confirmed": -1}},
        )

    async def release(self, meetup_id: str, registration_id: str) -> None:
        """Give back whatever place the registration holds (seat or waitlist)."""
        await self.release_seat(meetup_id, registration_id)
        await self.collection.update_one(
            {"_id": meetup_id, "waitlist": registration_id},
            {"$pull": {"waitlist": registration_id}, "$inc": {"waiting": -1}},
        )

    async def scheduled(self) -> list[Document]:
        """The ledgers of every scheduled meetup (for the repair sweep)."""
        return [m async for m in self.collection.find({"status": "scheduled"}, WITHOUT_OUTBOX)]
