"""The MongoDB-wire server under test gives single-document atomicity.

Capacity limits (seats, slots) rely on conditional single-document updates; if the server
interleaved them, no amount of application code would keep a meetup from overbooking.
"""

from __future__ import annotations

import asyncio

from pymongo import AsyncMongoClient, ReturnDocument

from tests.support.isolation import Sandbox


async def test_200_concurrent_conditional_decrements_leave_exactly_zero(sandbox: Sandbox):
    client = AsyncMongoClient(sandbox.servers.mongodb_url, maxPoolSize=50)
    seats = client[sandbox.database("atomicity")].seats
    await seats.insert_one({"_id": "meetup", "free": 65})

    async def take_one() -> bool:
        taken = await seats.find_one_and_update(
            {"_id": "meetup", "free": {"$gt": 0}},
            {"$inc": {"free": -1}},
            return_document=ReturnDocument.AFTER,
        )
        return taken is not None

    try:
        results = await asyncio.gather(*(take_one() for _ in range(200)))
        final = await seats.find_one({"_id": "meetup"})
    finally:
        await client.close()
    assert results.count(True) == 65
    assert final["free"] == 0


async def test_200_concurrent_increments_are_not_lost(sandbox: Sandbox):
    client = AsyncMongoClient(sandbox.servers.mongodb_url, maxPoolSize=50)
    counters = client[sandbox.database("atomicity")].counters
    await counters.insert_one({"_id": "c", "n": 0, "seen": []})
    try:
        await asyncio.gather(
            *(
                counters.update_one({"_id": "c"}, {"$inc": {"n": 1}, "$push": {"seen": i}})
                for i in range(200)
            )
        )
        final = await counters.find_one({"_id": "c"})
    finally:
        await client.close()
    assert final["n"] == 200
    assert sorted(final["seen"]) == list(range(200))
