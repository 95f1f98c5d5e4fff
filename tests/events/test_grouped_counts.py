"""The public door's counts, grouped (``BatchedRateCounter``): concurrent hits of one key
are numbered exactly as one at a time would be, so a limit of N lets exactly N through; and
the seat ledger's grouped waitlist joins, numbered as one by one."""

from __future__ import annotations

import asyncio

from pymongo import AsyncMongoClient

from nkohub_shared.limits import Limit, RateLimited
from nkohub_shared.storage.ratebatch import BatchedRateCounter


async def test_forty_concurrent_hits_are_numbered_one_to_forty_and_thirty_pass(sandbox):
    client = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    try:
        counter = BatchedRateCounter(client[sandbox.database("counts")])
        limit = Limit("test-per-client", 30, 3600)
        counts = await asyncio.gather(*(counter.hit(limit, "10.0.0.1") for _ in range(40)))
        assert sorted(counts) == list(range(1, 41))

        other = Limit("test-other", 30, 3600)
        outcomes = await asyncio.gather(
            *(counter.check_all([(other, "10.0.0.2", "too many", None)]) for _ in range(40)),
            return_exceptions=True,
        )
        refused = [o for o in outcomes if isinstance(o, RateLimited)]
        assert len(refused) == 10 and outcomes.count(None) == 30
        # another key's count is its own
        assert await counter.hit(limit, "10.0.0.3") == 1
    finally:
        await client.close()


async def test_thirty_concurrent_waitlist_joins_are_one_update_numbered_as_one_by_one(sandbox):
    """``SeatRepository.join_waitlist``: joins of a full meetup asked for together are one
    conditional update, each given the number and place it would have had alone."""
    from nkohub_events.repository.seats import SeatRepository
    from tests.events.test_registration_round_trips import TALLY

    client = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    try:
        db = client[sandbox.database("seats")]
        meetup = {
            "_id": "m1",
            "status": "scheduled",
            "capacity": 2,
            "reserved_seats": 0,
            "sequence": 3,
            "confirmed": 2,
            "waiting": 4,
            "next_place": 7,
            "ledger_version": 1,
        }
        await db["meetups"].insert_one(meetup)
        seats = SeatRepository(db)
        TALLY.start(db.name)
        try:
            joined = await asyncio.gather(*(seats.join_waitlist(meetup, 2) for _ in range(30)))
        finally:
            seen = TALLY.stop()
        assert seen == {("findAndModify", "meetups"): 1}
        assert [j["waiting"] for j in joined] == list(range(5, 35))
        assert [j["next_place"] for j in joined] == list(range(8, 38))
        ledger = await db["meetups"].find_one({"_id": "m1"})
        assert (ledger["confirmed"], ledger["waiting"], ledger["next_place"]) == (2, 34, 37)

        # a meetup with a free seat and nobody waiting: nobody joins, the counters stay
        free = {**meetup, "_id": "m2", "confirmed": 1, "waiting": 0, "next_place": 0}
        await db["meetups"].insert_one(free)
        assert await asyncio.gather(*(seats.join_waitlist(free, 2) for _ in range(5))) == [None] * 5
        assert (await db["meetups"].find_one({"_id": "m2"}))["waiting"] == 0
    finally:
        await client.close()
