"""The public door's counts, grouped (``BatchedRateCounter``): concurrent hits of one key
are numbered exactly as one at a time would be, so a limit of N lets exactly N through."""

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
