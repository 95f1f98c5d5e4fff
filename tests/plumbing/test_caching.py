"""The write clock and the response cache of ``nkohub_shared.web.caching``, without a
service: what moves the clock, when an entry is stale, what a conditional request gets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from pymongo import AsyncMongoClient
from starlette.requests import Request
from starlette.responses import Response

from nkohub_shared.storage.querycache import QueryCache
from nkohub_shared.storage.writeclock import WRITES
from nkohub_shared.web.caching import ResponseCache


def _request(**headers: str) -> Request:
    raw = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


async def test_writes_move_the_clock_of_their_collection_only(sandbox):
    mongo: AsyncMongoClient = AsyncMongoClient(sandbox.servers.mongodb_url)
    db_name = sandbox.database("caching")
    try:
        db = mongo[db_name]
        before = WRITES.stamp(db_name, ("a", "b"))
        await db.a.insert_one({"_id": 1})
        await db.a.find_one({"_id": 1})  # a read moves nothing
        assert WRITES.stamp(db_name, ("a", "b")) == (before[0] + 1, before[1])
        await db.b.update_one({"_id": 1}, {"$set": {"x": 1}}, upsert=True)
        await db.b.find_one_and_update({"_id": 1}, {"$inc": {"x": 1}})
        await db.b.delete_many({})
        assert WRITES.stamp(db_name, ("a", "b")) == (before[0] + 1, before[1] + 3)
    finally:
        await mongo.drop_database(db_name)
        await mongo.close()


async def test_an_entry_is_rebuilt_after_a_write_or_its_time_to_live():
    cache = ResponseCache(ttl_seconds=3600)
    builds = 0

    async def build() -> Response:
        nonlocal builds
        builds += 1
        return Response(f"page {builds}", media_type="text/html")

    def ask() -> object:
        return cache.respond(_request(), database="d", collections=("c",), key=("/",), build=build)

    assert (await ask()).body == b"page 1"
    assert (await ask()).body == b"page 1"
    WRITES.moved("d", "c")
    assert (await ask()).body == b"page 2"
    WRITES.moved("d", "other")
    assert (await ask()).body == b"page 2" and builds == 2

    expired = ResponseCache(ttl_seconds=0)
    for n in (1, 2):
        answer = await expired.respond(
            _request(), database="d", collections=("c",), key=("/",), build=build
        )
        assert answer.body == f"page {2 + n}".encode()


async def test_a_failure_is_not_cached_and_validators_answer_304():
    cache = ResponseCache()
    status = 500

    async def build() -> Response:
        return Response("тело", status_code=status, media_type="text/plain")

    args = {"database": "d2", "collections": ("c",), "key": ("/x",), "build": build}
    assert (await cache.respond(_request(), **args)).status_code == 500
    status = 200
    first = await cache.respond(_request(), **args)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.status_code == 200 and first.body == "тело".encode()
    assert (await cache.respond(_request(if_none_match=etag), **args)).status_code == 304
    assert (await cache.respond(_request(if_none_match=f"W/{etag}"), **args)).status_code == 304
    assert (await cache.respond(_request(if_modified_since=modified), **args)).status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert (await cache.respond(_request(if_modified_since=earlier), **args)).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    both = _request(if_none_match='"other"', if_modified_since=modified)
    assert (await cache.respond(both, **args)).status_code == 200


async def test_a_query_cache_shares_a_result_until_a_write():
    cache = QueryCache(ttl_seconds=3600)
    calls = 0

    async def build() -> list[int]:
        nonlocal calls
        calls += 1
        return [calls]

    args = {"database": "d3", "collections": ("c",), "key": ("q", 1), "build": build}
    assert await cache.get(**args) == [1]
    assert await cache.get(**args) == [1]
    WRITES.moved("d3", "c")
    assert await cache.get(**args) == [2]


async def test_readers_who_miss_together_share_one_build():
    cache = ResponseCache()
    release = asyncio.Event()
    builds = 0

    async def build() -> Response:
        nonlocal builds
        builds += 1
        await release.wait()
        return Response("один раз", media_type="text/plain")

    args = {"database": "d4", "collections": ("c",), "key": ("/",), "build": build}
    readers = [asyncio.ensure_future(cache.respond(_request(), **args)) for _ in range(16)]
    await asyncio.sleep(0)
    release.set()
    answers = await asyncio.gather(*readers)
    assert builds == 1 and {a.body for a in answers} == {"один раз".encode()}
    WRITES.moved("d4", "c")  # a reader after a write does not join an older build
    release.clear()
    late = asyncio.ensure_future(cache.respond(_request(), **args))
    await asyncio.sleep(0)
    release.set()
    await late
    assert builds == 2
