"""Rate-limit counters on the real database: every concurrent hit is counted, a window's
overflow is refused with its Retry-After, keys are stored only as pseudonyms."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from nkohub_shared.limits import Limit, RateLimited
from nkohub_shared.storage.ratelimit import COLLECTION, RateCounter


@pytest.fixture
async def db(sandbox):
    client = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    yield client[sandbox.database("limits")]
    await client.close()


async def test_concurrent_hits_are_all_counted_and_the_overflow_refused(db):
    counter = RateCounter(db)
    limit = Limit("subscribe-per-address", count=20, per_seconds=3600)
    now = datetime(2026, 11, 30, 10, 0, 5, tzinfo=UTC)

    async def attempt() -> bool:
        try:
            await counter.check(limit, "victim@example.org", "Слишком часто", now=now)
        except RateLimited as refused:
            assert refused.retry_after == 3595
            return False
        return True

    outcomes = await asyncio.gather(*(attempt() for _ in range(50)))
    assert outcomes.count(True) == 20
    stored = await db[COLLECTION].find_one({})
    assert stored["n"] == 50 and "victim" not in str(stored)
    # another key and the next window count on their own
    await counter.check(limit, "other@example.org", "x", now=now)
    await counter.check(limit, "victim@example.org", "x", now=now + timedelta(hours=1))


async def test_ended_windows_are_purged(db):
    counter = RateCounter(db)
    limit = Limit("per-client", count=5, per_seconds=60)
    then = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    await counter.hit(limit, "10.0.0.1", now=then)
    await counter.hit(limit, "10.0.0.1", now=then + timedelta(minutes=5))
    assert await counter.purge(now=then + timedelta(minutes=2)) == 1
    assert await db[COLLECTION].count_documents({}) == 1
