"""In-process caches of public answers, kept fresh by the writes of every replica.

A ``WriteClock`` (``nkohub_shared.storage.writeclock``) sees every write command a MongoDB
client sends (a PyMongo command
listener: insert, update, delete, findAndModify on a database's collection) and keeps a
counter per (database, collection). Each service runtime has its own clock on its own
client (``ServiceRuntime.writes``); ``WRITES`` is the process-wide one that every client
reports to. A cached answer remembers the counters of the collections it was built from,
read *before* it was built; it is served only while none of them moved and it is younger
than its time to live. So a change made through this replica — an HTTP write, a consumed
event, a background job, whatever room wrote it — is visible on the next request, and
nothing in a service has to remember to invalidate anything.

A change another replica made reaches this one through the broker
(``nkohub_shared.bus.cachenotes``): every replica announces which collections its writes
touched (coalesced, one small note every few tens of milliseconds at most) on its service's
fanout exchange, and the others move the same counters on receipt, exactly as a local write
does. Staleness, by state:

- *listening* (this replica's own notes come back through the exchange; checked with a
  note at least every ``tick_seconds``): another replica's change shows as soon as its note
  arrives — milliseconds. The time to live (``ttl_seconds``, minutes) is only a safety net
  for a note lost in flight (the writer died between its write and its note).
- *not listening* (no broker, the queue gone, the own notes late): entries are trusted
  for the short ``fallback_ttl_seconds`` only, counted from when they were read, and so are
  entries built in an earlier listening spell (``epoch``): a change the broker did not carry
  shows within that (plus the time it takes to notice the silence, ``trust_seconds``).
- a clock without notes (``WRITES``, a service without public caches, a unit test) is never
  listening: the short time to live, as before notes existed.

Seat counts on a page are informative; the registration itself is the atomic check. Reads
that must be exact are not made from a cache.

A write that changes nothing a cached answer shows (a post's view counter) can be made
inside ``unseen()`` (``nkohub_shared.storage.writeclock``): it moves no counter and is
announced to no one.

An entry past its time to live whose collections saw no write may be *revalidated* instead
of rebuilt (``ResponseCache.stale`` and ``renew``): the page asks the store for the version
of what it shows (one indexed read), and a version that did not change keeps the entry for
another time to live — what an HTTP cache does with a ``304``.

Entries are bounded in number and, for ``ResponseCache``, in bytes (``max_bytes``). Several
runtimes in one process (tests) share a cache object but never an entry: entries are kept
per clock.

``ResponseCache.respond`` also answers conditional requests: every cached answer carries a
strong ``ETag`` (a hash of its body) and ``Last-Modified`` (when that body was first
built), and ``If-None-Match`` / ``If-Modified-Since`` that still match get ``304 Not
Modified`` without a body.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import bson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from nkohub_shared.storage.querycache import DEFAULT_MAX_ENTRIES, Mark, mark_before_read
from nkohub_shared.storage.writeclock import WRITES, WriteClock
from nkohub_shared.web import accessibility

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
CACHE_CONTROL = "public, no-cache"  # keep it, but ask us (a 304 is cheap) before using it


@dataclass(frozen=True)
class Cached:
    body: bytes
    status_code: int
    media_type: str | None
    headers: Mapping[str, str]
    etag: str
    last_modified: datetime
    stamp: tuple[int, ...]
    expires: float  # monotonic: never served after this
    extra: Any = None  # what the page needs on a hit besides the body (a post's id)
    epoch: int = 0  # the clock's epoch when it was read
    since: float = 0.0  # monotonic: when it was read


def fingerprint(document: Mapping[str, Any]) -> str:
    """A short digest of a document as read (its BSON), to tell whether it changed."""
    return hashlib.blake2b(bson.encode(document), digest_size=12).hexdigest()


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ResponseCache:
    """Rendered answers by key, fresh while their collections saw no write (here or, by
    the notes, on another replica) and within their time to live (the clock's, unless
    ``ttl_seconds`` sets one for this cache); at most ``max_entries`` holding ``max_bytes``
    of bodies (the least recently used go first).

    Every method takes the ``clock`` of the runtime that serves the request (default: the
    cache's own, ``WRITES`` unless given)."""

    def __init__(
        self,
        *,
        ttl_seconds: float | None = None,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: WriteClock = WRITES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
        self._bytes = 0
        self._building: dict[
            tuple[Any, ...], tuple[tuple[int, ...], asyncio.Future[Cached | Response]]
        ] = {}
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        """The bodies held, in bytes."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, full_key: tuple[Any, ...]) -> None:
        entry = self._entries.pop(full_key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def _ttl(self, clock: WriteClock) -> float:
        return clock.ttl_seconds if self.ttl_seconds is None else self.ttl_seconds

    async def respond(
        self,
        request: Request,
        *,
        database: str,
        collections: tuple[str, ...],
        key: tuple[str, ...],
        build: Callable[[], Awaitable[Response]],
        clock: WriteClock | None = None,
    ) -> Response:
        """The cached answer for ``key`` (or ``build()``'s, cached when it is a 200),
        ``304`` when the request's validators still match."""
        clock = clock or self._clock
        entry = self.lookup(database, collections, key, clock=clock)
        if entry is not None:
            self.hits += 1
            return answer(request, entry)
        full_key = (clock, database, *key, _variant())
        mark = mark_before_read(clock, database, collections)  # before reading anything
        building = self._building.get(full_key)
        if building is None or building[0] != mark.counters:
            # one build per key and state at a time, in a task of its own; a build begun
            # before a write is not joined by a request that came after it
            self.misses += 1

            async def build_and_store() -> Cached | Response:
                try:
                    response = await build()
                    if response.status_code != 200:
                        return response
                    return self.store(database, key, mark, response, clock=clock)
                finally:
                    if self._building.get(full_key) is building:
                        del self._building[full_key]

            building = (mark.counters, asyncio.ensure_future(build_and_store()))
            self._building[full_key] = building
        built = await asyncio.shield(building[1])  # a reader who leaves does not stop it
        return answer(request, built) if isinstance(built, Cached) else built

    def lookup(
        self,
        database: str,
        collections: tuple[str, ...],
        key: tuple[str, ...],
        *,
        clock: WriteClock | None = None,
    ) -> Cached | None:
        clock = clock or self._clock
        full_key = (clock, database, *key, _variant())
        entry = self._entries.get(full_key)
        if entry is None:
            return None
        if entry.stamp != clock.stamp(database, collections):
            self._drop(full_key)
            return None
        if not clock.fresh(entry.since, entry.epoch, entry.expires, time.monotonic()):
            return None  # kept for ``stale``: it may be revalidated
        self._entries.move_to_end(full_key)
        return entry

    def stale(
        self,
        database: str,
        collections: tuple[str, ...],
        key: tuple[str, ...],
        *,
        clock: WriteClock | None = None,
    ) -> Cached | None:
        """The entry for ``key`` past its time to live, if no write touched its
        collections since it was built: ``renew`` it once the store says it is current."""
        clock = clock or self._clock
        entry = self._entries.get((clock, database, *key, _variant()))
        if entry is None or entry.stamp != clock.stamp(database, collections):
            return None
        return entry

    def renew(
        self,
        database: str,
        key: tuple[str, ...],
        entry: Cached,
        mark: Mark | None = None,
        *,
        clock: WriteClock | None = None,
    ) -> Cached:
        """``entry`` (from ``stale``) fresh for another time to live; the store confirmed
        it is current (as read after ``mark``, from ``stamp``). A write since it was read
        drops it at the next ``lookup``."""
        clock = clock or self._clock
        mark = mark or mark_before_read(clock, database, ())
        full_key = (clock, database, *key, _variant())
        renewed = replace(
            entry,
            expires=mark.since + self._ttl(clock),
            epoch=mark.epoch,
            since=mark.since,
        )
        if self._entries.get(full_key) is entry:
            self._entries[full_key] = renewed
            self._entries.move_to_end(full_key)
        return renewed

    def stamp(
        self, database: str, collections: tuple[str, ...], *, clock: WriteClock | None = None
    ) -> Mark:
        """What to hand to ``store`` (or ``renew``): read it before reading the data."""
        return mark_before_read(clock or self._clock, database, collections)

    def store(
        self,
        database: str,
        key: tuple[str, ...],
        stamp: Mark,
        response: Response,
        extra: Any = None,
        *,
        clock: WriteClock | None = None,
    ) -> Cached:
        clock = clock or self._clock
        full_key = (clock, database, *key, _variant())
        body = bytes(response.body)
        etag = _etag(body)
        previous = self._entries.get(full_key)
        last_modified = (
            previous.last_modified
            if previous is not None and previous.etag == etag
            else datetime.now(UTC).replace(microsecond=0)
        )
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in {"content-length", "content-type", "etag", "last-modified"}
        }
        entry = Cached(
            body=body,
            status_code=response.status_code,
            media_type=response.media_type,
            headers=headers,
            etag=etag,
            last_modified=last_modified,
            stamp=stamp.counters,
            expires=stamp.since + self._ttl(clock),
            extra=extra,
            epoch=stamp.epoch,
            since=stamp.since,
        )
        self._drop(full_key)
        self._entries[full_key] = entry
        self._bytes += len(body)
        while len(self._entries) > self.max_entries or (
            self._bytes > self.max_bytes and len(self._entries) > 1
        ):
            _, oldest = self._entries.popitem(last=False)
            self._bytes -= len(oldest.body)
        return entry


def not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """Whether the request's validators match (RFC 9110: If-None-Match wins)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified <= since
    return False


def _variant() -> str:
    """Which version of a page this request gets: the visually impaired version's settings
    (``nkohub_shared.web.accessibility``, from the visitor's cookie; a bounded set of
    values, so a made-up cookie cannot fill the cache)."""
    return accessibility.current().cookie


def answer(request: Request, entry: Cached) -> Response:
    """The cached entry as a response, or ``304`` with its validators."""
    validators = {
        "ETag": entry.etag,
        "Vary": "Cookie",  # the visually impaired version is chosen by a cookie
        "Last-Modified": format_datetime(entry.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }
    if request.method in {"GET", "HEAD"} and not_modified(request, entry.etag, entry.last_modified):
        return Response(status_code=304, headers={**entry.headers, **validators})
    return Response(
        entry.body,
        status_code=entry.status_code,
        media_type=entry.media_type,
        headers={**entry.headers, **validators},
    )


def public_get_key(request: Request) -> tuple[str, ...]:
    """The key of an anonymous ``GET``'s answer: its path and its query string as sent."""
    return (request.url.path, request.url.query)


def answered_early(hit: Callable[[Request], Awaitable[Response | None]]) -> type[APIRoute]:
    """A FastAPI route class whose anonymous ``GET``s (no credentials, no cookies) first
    ask ``hit(request)`` — once routed (the path parameters are known), before FastAPI
    resolves dependencies or validates anything: an answer it gives goes out at once;
    ``None`` lets the route answer."""

    class EarlyRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def serve(request: Request) -> Response:
                headers = request.headers
                if request.method == "GET" and not (
                    "authorization" in headers or "cookie" in headers
                ):
                    early = await hit(request)
                    if early is not None:
                        return early
                return await handler(request)

            return serve

    return EarlyRoute


def answered_from_cache(
    cache: ResponseCache,
    where: Callable[[Request], tuple[str, tuple[str, ...], WriteClock]],
) -> type[APIRoute]:
    """A FastAPI route class whose anonymous ``GET``s are answered from ``cache`` before
    FastAPI parses and validates anything (dependencies, query parameters): on a hit the
    stored bytes go out at once. ``where(request)`` names the database and the collections
    the answer is read from, and the serving runtime's clock; the route itself must store
    its answers under ``public_get_key(request)`` with that clock
    (``cache.respond(..., key=public_get_key(request), clock=...)``).
    A request with credentials or cookies always reaches the route."""

    async def hit(request: Request) -> Response | None:
        database, collections, clock = where(request)
        entry = cache.lookup(database, collections, public_get_key(request), clock=clock)
        if entry is None:
            return None
        cache.hits += 1
        return answer(request, entry)

    return answered_early(hit)
