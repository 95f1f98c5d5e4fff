"""The response cache's bounds and revalidation, and writes that move no counter
(``nkohub_shared.web.caching``), without servers: a clock of the test's own."""

from __future__ import annotations

import time
from datetime import timedelta

from pymongo import monitoring
from starlette.requests import Request
from starlette.responses import Response

from nkohub_shared.storage.writeclock import WriteClock, unseen
from nkohub_shared.web.caching import ResponseCache, fingerprint


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": []})


def _page(size: int) -> Response:
    return Response(b"x" * size, media_type="text/html")


def test_entries_are_bounded_in_bytes_the_least_recently_used_going_first():
    clock = WriteClock()
    cache = ResponseCache(max_entries=100, max_bytes=3_000, clock=clock)
    for name in ("a", "b", "c"):
        cache.store("d", (name,), cache.stamp("d", ("c",)), _page(1_000))
    assert len(cache) == 3 and cache.size_bytes == 3_000
    assert cache.lookup("d", ("c",), ("a",)) is not None  # "a" is now the most recent
    cache.store("d", ("e",), cache.stamp("d", ("c",)), _page(1_000))
    assert cache.lookup("d", ("c",), ("b",)) is None  # the least recently used went
    assert cache.lookup("d", ("c",), ("a",)) is not None
    assert len(cache) == 3 and cache.size_bytes == 3_000
    # a new body for a key replaces the old one in the count
    cache.store("d", ("a",), cache.stamp("d", ("c",)), _page(500))
    assert cache.size_bytes == 2_500
    # one body larger than the bound is still kept (alone)
    cache.store("d", ("big",), cache.stamp("d", ("c",)), _page(10_000))
    assert len(cache) == 1 and cache.size_bytes == 10_000


def test_an_expired_entry_is_stale_until_a_write_and_renewed_keeps_its_validators():
    clock = WriteClock()
    cache = ResponseCache(ttl_seconds=0, clock=clock)
    stored = cache.store("d", ("/p",), cache.stamp("d", ("c",)), _page(10), extra="v1")
    assert cache.lookup("d", ("c",), ("/p",)) is None  # past its time to live
    stale = cache.stale("d", ("c",), ("/p",))
    assert stale is stored and stale.extra == "v1"

    cache.ttl_seconds = 3600
    renewed = cache.renew("d", ("/p",), stale)
    assert renewed.etag == stored.etag and renewed.last_modified == stored.last_modified
    assert renewed.expires > time.monotonic() + 3000
    assert cache.lookup("d", ("c",), ("/p",)) is renewed

    clock.moved("d", "c")  # a write here: neither fresh nor stale
    assert cache.stale("d", ("c",), ("/p",)) is None
    assert cache.lookup("d", ("c",), ("/p",)) is None
    assert len(cache) == 0 and cache.size_bytes == 0


async def test_a_respond_after_expiry_builds_again():
    clock = WriteClock()
    cache = ResponseCache(ttl_seconds=0, clock=clock)
    builds = 0

    async def build() -> Response:
        nonlocal builds
        builds += 1
        return Response(f"page {builds}")

    for n in (1, 2):
        got = await cache.respond(
            _request(), database="d", collections=("c",), key=("/",), build=build
        )
        assert got.body == f"page {n}".encode()
    assert len(cache) == 1


def _write(clock: WriteClock, request_id: int) -> None:
    command = {"update": "posts", "updates": []}
    started = monitoring.CommandStartedEvent(command, "db", request_id, ("h", 1), 1)
    clock.started(started)
    clock.succeeded(
        monitoring.CommandSucceededEvent(
            timedelta(0), {"ok": 1}, "update", request_id, ("h", 1), 1, "db"
        )
    )


def test_a_write_inside_unseen_moves_no_counter():
    clock = WriteClock()
    _write(clock, 1)
    assert clock.stamp("db", ("posts",)) == (1,)
    with unseen():
        _write(clock, 2)
    assert clock.stamp("db", ("posts",)) == (1,)
    _write(clock, 3)
    assert clock.stamp("db", ("posts",)) == (2,)


def test_a_fingerprint_changes_with_any_field():
    post = {"_id": "p1", "title": "Запись", "tags": ["а"]}
    assert fingerprint(post) == fingerprint(dict(post))
    assert fingerprint(post) != fingerprint({**post, "title": "Запись!"})
    assert fingerprint(post) != fingerprint({**post, "tags": ["а", "б"]})
