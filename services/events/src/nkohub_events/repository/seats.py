"""The seat ledger: counters in the meetup document, the waitlist's order in the
registrations. Hard capacity under any concurrency.

The meetup holds only counters: ``confirmed`` (seats taken), ``waiting`` (registrations
in the waitlist), ``next_place`` (the last waitlist number handed out), ``ledger_version``
(moved by every change of the counters) and ``promoting`` (promotions under way). A
waitlisted registration carries its ``waitlist_position`` (indexed): the queue is the
waitlisted registrations of the meetup in that order. Nothing in the meetup document grows
with the registrations, so its one conditional update costs the same at any waitlist length.

Every change of the counters is ONE conditional single-document update, so ``confirmed``
never passes the seat limit however many requests race (the database serialises writes to
one document; no transaction is needed), and nobody jumps the queue while people wait (a
seat is taken only while ``waiting`` is 0). The registration's own conditional move
(pending → confirmed/waitlisted) decides which of two racing placements of the same
registration counts; the other gives its counter back (``give_back``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_events.domain.common import utcnow
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.writer import WITHOUT_OUTBOX

Document = dict[str, Any]
POSITION = "waitlist_position"
COUNTERS = {"confirmed": 1, "waiting": 1, "next_place": 1, "ledger_version": 1}
JOIN_GROUP_MAX = 500  # waitlist joins in one update
JOIN_GROUPS = 256  # meetups (as seen) with a group of joins kept


def _guard(m: Document) -> Document:
    """The meetup as the caller computed the limit (and the registration's event) from —
    its status, capacity and, when it has one, the ``sequence`` every edit moves. A caller
    working from an old copy of the meetup (a cache) finds no place and reads again."""
    guard = {
        "_id": m["_id"],
        "status": "scheduled",
        "capacity": m["capacity"],
        "reserved_seats": m.get("reserved_seats", 0),
    }
    if "sequence" in m:
        guard["sequence"] = m["sequence"]
    return guard


class SeatRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["meetups"]
        self.registrations = db["registrations"]
        # grouped waitlist joins, by the meetup as the callers saw it and their seat limit
        self._joins: dict[tuple[Any, ...], GroupWrite[None, Document | None]] = {}

    async def ledger(self, meetup_id: str) -> Document | None:
        return await self.collection.find_one(
            {"_id": meetup_id}, {**WITHOUT_OUTBOX, "seats": 0, "waitlist": 0}
        )

    # -- the counters ------------------------------------------------------------------

    async def take_seat(self, m: Document, limit: int) -> bool:
        """A seat, if one is free and nobody waits."""
        taken = await self.collection.find_one_and_update(
            {**_guard(m), "confirmed": {"$lt": limit}, "waiting": {"$lte": 0}},
            {"$inc": {"confirmed": 1, "ledger_version": 1}},
            projection={"_id": 1},
        )
        return taken is not None

    async def join_waitlist(self, m: Document, limit: int) -> Document | None:
        """A number at the end of the waitlist, if the meetup is full or others wait
        already: the ledger after joining (``next_place``: our number, ``waiting``: our
        place, ``confirmed``), or ``None``.

        The joins of one meetup asked for while one is on its way are ONE update (a rush
        waitlists dozens at once): ``$inc`` by their number, each given the number and
        place it would have had joining alone, in the order they asked. The condition is
        the same for all (the meetup full or people waiting: more waiters keep it true),
        so one join may stand for all."""
        key = (m["_id"], m["capacity"], m.get("reserved_seats", 0), m.get("sequence"), limit)
        group = self._joins.get(key)
        if group is None:
            if len(self._joins) >= JOIN_GROUPS:
                self._joins.clear()  # the groups under way finish; later joins start anew
            group = self._joins[key] = GroupWrite(
                lambda joins, m=m, limit=limit: self._join_group(m, limit, len(joins)),
                max_items=JOIN_GROUP_MAX,
            )
        return await group(None)

    async def _join_group(self, m: Document, limit: int, k: int) -> list[Document | None]:
        after = await self.collection.find_one_and_update(
            {**_guard(m), "$or": [{"confirmed": {"$gte": limit}}, {"waiting": {"$gt": 0}}]},
            {"$inc": {"waiting": k, "next_place": k, "ledger_version": 1}},
            projection=COUNTERS,
            return_document=ReturnDocument.AFTER,
        )
        if after is None:
            return [None] * k
        waiting, number = after["waiting"], after["next_place"]
        return [
            {**after, "waiting": waiting - ahead, "next_place": number - ahead}
            for ahead in range(k - 1, -1, -1)
        ]

    async def give_back(self, meetup_id: str, status: str) -> None:
        """Undo one placement that did not count (its registration was placed by another
        request, or left): a seat (``confirmed``) or a waitlist place (``waitlisted``)."""
        field = "confirmed" if status == "confirmed" else "waiting"
        await self.collection.update_one(
            {"_id": meetup_id, field: {"$gt": 0}}, {"$inc": {field: -1, "ledger_version": 1}}
        )

    async def seat_for_head(self, m: Document, limit: int) -> bool:
        """A free seat for the waitlist's head (``promoting`` counts it until the head's
        registration has it, see ``promoted``)."""
        moved = await self.collection.update_one(
            {
                "_id": m["_id"],
                "status": "scheduled",
                "capacity": m["capacity"],
                "reserved_seats": m.get("reserved_seats", 0),
                "confirmed": {"$lt": limit},
                "waiting": {"$gt": 0},
            },
            {
                "$inc": {"confirmed": 1, "waiting": -1, "promoting": 1, "ledger_version": 1},
                "$set": {"promoting_at": utcnow()},
            },
        )
        return moved.modified_count > 0

    async def promoted(self, meetup_id: str, *, seated: bool) -> None:
        """A promotion ended; ``seated=False``: nobody waited after all, the seat goes back."""
        inc = {"promoting": -1, "ledger_version": 1}
        if not seated:
            inc.update(confirmed=-1, waiting=1)
        await self.collection.update_one({"_id": meetup_id}, {"$inc": inc})

    async def scheduled(self) -> list[Document]:
        """The ledgers of every scheduled meetup (for the repair sweep)."""
        cursor = self.collection.find(
            {"status": "scheduled"}, {**WITHOUT_OUTBOX, "seats": 0, "waitlist": 0}
        )
        return [m async for m in cursor]

    # -- the queue, in the registrations -------------------------------------------------

    async def head(self, meetup_id: str) -> Document | None:
        """The waitlisted registration with the lowest number."""
        cursor = (
            self.registrations.find(
                {"meetup_id": meetup_id, "status": "waitlisted"}, WITHOUT_OUTBOX
            )
            .sort(POSITION, ASCENDING)
            .limit(1)
        )
        return next(iter([r async for r in cursor]), None)

    async def place_of(self, meetup_id: str, position: int) -> int:
        """The place in the waitlist of the registration with the number ``position``."""
        ahead = await self.registrations.count_documents(
            {"meetup_id": meetup_id, "status": "waitlisted", POSITION: {"$lt": position}}
        )
        return ahead + 1

    async def waitlist(self, meetup_id: str) -> list[str]:
        """The ids of the waitlisted registrations, in order."""
        cursor = self.registrations.find(
            {"meetup_id": meetup_id, "status": "waitlisted"}, {"_id": 1}
        ).sort(POSITION, ASCENDING)
        return [r["_id"] async for r in cursor]

    # -- repair ------------------------------------------------------------------------

    async def in_flight(self, meetup_id: str, stale_before: datetime) -> bool:
        """Whether a registration of the meetup is between its two writes (pending, or
        cancelled and still giving its place back since ``stale_before``)."""
        busy = await self.registrations.find_one(
            {
                "meetup_id": meetup_id,
                "$or": [
                    {"status": "pending"},
                    {"releasing": {"$exists": True}, "cancelled_at": {"$gte": stale_before}},
                ],
            },
            {"_id": 1},
        )
        return busy is not None

    async def counted(self, meetup_id: str) -> tuple[int, int]:
        """What the registrations say: (confirmed, waitlisted)."""
        confirmed = await self.registrations.count_documents(
            {"meetup_id": meetup_id, "status": "confirmed", "beyond_capacity": {"$ne": True}}
        )
        waiting = await self.registrations.count_documents(
            {"meetup_id": meetup_id, "status": "waitlisted"}
        )
        return confirmed, waiting

    async def recount(self, m: Document, confirmed: int, waiting: int) -> bool:
        """Set the counters to what the registrations say, unless they moved since ``m``
        was read (its ``ledger_version``); stale ``promoting`` marks go."""
        done = await self.collection.update_one(
            {"_id": m["_id"], "ledger_version": m.get("ledger_version")},
            {
                "$set": {"confirmed": confirmed, "waiting": waiting, "promoting": 0},
                "$inc": {"ledger_version": 1},
            },
        )
        return done.modified_count > 0

    async def drop_stale_releases(self, meetup_id: str, stale_before: datetime) -> None:
        await self.registrations.update_many(
            {
                "meetup_id": meetup_id,
                "releasing": {"$exists": True},
                "cancelled_at": {"$lt": stale_before},
            },
            {"$unset": {"releasing": ""}},
        )

    async def migrate(self) -> int:
        """Move the waitlists of ledgers written before the counters (id arrays ``seats``
        and ``waitlist`` in the meetup) into the registrations; idempotent. Old waiters
        get numbers below any handed out since (negative), so their order stays first."""
        moved = 0
        old = self.collection.find(
            {"$or": [{"waitlist": {"$exists": True}}, {"seats": {"$exists": True}}]},
            {"waitlist": 1},
        )
        async for m in old:
            waitlist = list(m.get("waitlist") or [])
            for i, rid in enumerate(waitlist):
                await self.registrations.update_one(
                    {"_id": rid, POSITION: {"$exists": False}},
                    {"$set": {POSITION: i - len(waitlist)}},
                )
            await self.collection.update_one(
                {"_id": m["_id"]}, {"$unset": {"seats": "", "waitlist": ""}}
            )
            moved += 1
        return moved
