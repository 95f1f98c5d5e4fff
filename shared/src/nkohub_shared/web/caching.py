"""Short in-process caches of public answers, kept fresh by the process's own writes.

``WRITES`` sees every write command any ``AsyncMongoClient`` of this process sends (a
PyMongo command listener: insert, update, delete, findAndModify on a database's
collection) and keeps a counter per (database, collection). A cached answer remembers the
counters of the collections it was built from, read *before* it was built; it is served
only while none of them moved and it is younger than its time to live. So a change made
through this process — an HTTP write, a consumed event, a background job, whatever room
wrote it — is visible on the next request, and nothing in a service has to remember to
invalidate anything.

With several replicas, a change another replica made reaches this one's cache when the
entry's time to live runs out (``ttl_seconds``, a few seconds): the answer is at most that
stale, which is what a public page can afford (seat counts on a page are informative; the
registration itself is the atomic check). Writes that must be seen at once elsewhere are
not read from a cache.

A write that changes nothing a cached answer shows (a post's view counter) can be made
inside ``unseen()``: it moves no counter, so it does not throw the pages away.

An entry past its time to live whose collections saw no write here may be *revalidated*
instead of rebuilt (``ResponseCache.stale`` and ``renew``): the page asks the store for the
version of what it shows (one indexed read), and a version that did not change keeps the
entry for another time to live — what an HTTP cache does with a ``304``.

Entries are bounded in number and, for ``ResponseCache``, in bytes (``max_bytes``).

``ResponseCache.respond`` also answers conditional requests: every cached answer carries a
strong ``ETag`` (a hash of its body) and ``Last-Modified`` (when that body was first
built), and ``If-None-Match`` / ``If-Modified-Since`` that still match get ``304 Not
Modified`` without a body.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import bson
from fastapi.routing import APIRoute
from pymongo import monitoring
from starlette.requests import Request
from starlette.responses import Response

from nkohub_shared.web import accessibility

WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify"})
DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MAX_ENTRIES = 1024
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_UNSEEN: contextvars.ContextVar[bool] = contextvars.ContextVar("nkohub_unseen_write", default=False)


@contextmanager
def unseen() -> Iterator[None]:
    """Writes sent inside this block (in this task) move no counter: use it only for a
    write that changes nothing any cached answer shows."""
    token = _UNSEEN.set(True)
    try:
        yield
    finally:
        _UNSEEN.reset(token)


CACHE_CONTROL = "public, no-cache"  # keep it, but ask us (a 304 is cheap) before using it


class WriteClock(monitoring.CommandListener):
    """Counters of writes per (database, collection), moved when a write command ends
    (succeeded or failed: a failed one may have written part of a batch)."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str], int] = {}
        self._started: dict[tuple[Any, int], tuple[str, str]] = {}
        self._lock = threading.Lock()  # listeners may be called from PyMongo's threads

    def stamp(self, database: str, collections: Iterable[str]) -> tuple[int, ...]:
        """The current counters of ``collections`` of ``database``."""
        counters = self._counters
        return tuple(counters.get((database, name), 0) for name in collections)

    def moved(self, database: str, collection: str) -> None:
        """Count a write that did not go through a command this process sent."""
        with self._lock:
            key = (database, collection)
            self._counters[key] = self._counters.get(key, 0) + 1

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in WRITE_COMMANDS or _UNSEEN.get():
            return
        collection = event.command.get(event.command_name)
        if isinstance(collection, str):
            with self._lock:
                self._started[(event.connection_id, event.request_id)] = (
                    event.database_name,
                    collection,
                )

    def _ended(
        self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent
    ) -> None:
        if event.command_name not in WRITE_COMMANDS:
            return
        with self._lock:
            key = self._started.pop((event.connection_id, event.request_id), None)
            if key is not None:
                self._counters[key] = self._counters.get(key, 0) + 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._ended(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._ended(event)


WRITES = WriteClock()
# A global listener joins every client created after this import; the services import
# their pages (and so this module) before their runtime creates its client.
monitoring.register(WRITES)


@dataclass(frozen=True)
class Cached:
    body: bytes
    status_code: int
    media_type: str | None
    headers: Mapping[str, str]
    etag: str
    last_modified: datetime
    stamp: tuple[int, ...]
    expires: float
    extra: Any = None  # what the page needs on a hit besides the body (a post's id)


def fingerprint(document: Mapping[str, Any]) -> str:
    """A short digest of a document as read (its BSON), to tell whether it changed."""
    return hashlib.blake2b(bson.encode(document), digest_size=12).hexdigest()


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ResponseCache:
    """Rendered answers by key, fresh while their collections saw no write here and
    younger than ``ttl_seconds``; at most ``max_entries`` holding ``max_bytes`` of bodies
    (the least recently used go first)."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: WriteClock = WRITES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[tuple[str, ...], Cached] = OrderedDict()
        self._bytes = 0
        self._building: dict[
            tuple[str, ...], tuple[tuple[int, ...], asyncio.Future[Cached | Response]]
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

    def _drop(self, full_key: tuple[str, ...]) -> None:
        entry = self._entries.pop(full_key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    async def respond(
        self,
        request: Request,
        *,
        database: str,
        collections: tuple[str, ...],
        key: tuple[str, ...],
        build: Callable[[], Awaitable[Response]],
    ) -> Response:
        """The cached answer for ``key`` (or ``build()``'s, cached when it is a 200),
        ``304`` when the request's validators still match."""
        entry = self.lookup(database, collections, key)
        if entry is not None:
            self.hits += 1
            return answer(request, entry)
        full_key = (database, *key, _variant())
        stamp = self._clock.stamp(database, collections)  # before reading anything
        building = self._building.get(full_key)
        if building is None or building[0] != stamp:
            # one build per key and state at a time, in a task of its own; a build begun
            # before a write is not joined by a request that came after it
            self.misses += 1

            async def build_and_store() -> Cached | Response:
                try:
                    response = await build()
                    if response.status_code != 200:
                        return response
                    return self.store(database, key, stamp, response)
                finally:
                    if self._building.get(full_key) is building:
                        del self._building[full_key]

            building = (stamp, asyncio.ensure_future(build_and_store()))
            self._building[full_key] = building
        built = await asyncio.shield(building[1])  # a reader who leaves does not stop it
        return answer(request, built) if isinstance(built, Cached) else built

    def lookup(
        self, database: str, collections: tuple[str, ...], key: tuple[str, ...]
    ) -> Cached | None:
        full_key = (database, *key, _variant())
        entry = self._entries.get(full_key)
        if entry is None:
            return None
        if entry.stamp != self._clock.stamp(database, collections):
            self._drop(full_key)
            return None
        if entry.expires <= time.monotonic():
            return None  # kept for ``stale``: it may be revalidated
        self._entries.move_to_end(full_key)
        return entry

    def stale(
        self, database: str, collections: tuple[str, ...], key: tuple[str, ...]
    ) -> Cached | None:
        """The entry for ``key`` past its time to live, if no write here touched its
        collections since it was built: ``renew`` it once the store says it is current."""
        entry = self._entries.get((database, *key, _variant()))
        if entry is None or entry.stamp != self._clock.stamp(database, collections):
            return None
        return entry

    def renew(self, database: str, key: tuple[str, ...], entry: Cached) -> Cached:
        """``entry`` (from ``stale``) fresh for another time to live; the store confirmed
        it is current. A write since it was read drops it at the next ``lookup``."""
        full_key = (database, *key, _variant())
        renewed = replace(entry, expires=time.monotonic() + self.ttl_seconds)
        if self._entries.get(full_key) is entry:
            self._entries[full_key] = renewed
            self._entries.move_to_end(full_key)
        return renewed

    def stamp(self, database: str, collections: tuple[str, ...]) -> tuple[int, ...]:
        """The counters to hand to ``store``: read them before reading the data."""
        return self._clock.stamp(database, collections)

    def store(
        self,
        database: str,
        key: tuple[str, ...],
        stamp: tuple[int, ...],
        response: Response,
        extra: Any = None,
    ) -> Cached:
        full_key = (database, *key, _variant())
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
            stamp=stamp,
            expires=time.monotonic() + self.ttl_seconds,
            extra=extra,
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


class QueryCache:
    """Results of reads by key, fresh on the same terms as ``ResponseCache`` (no write to
    their collections in this process, younger than ``ttl_seconds``). Callers must not
    change a result they get: it is shared by every request that asks the same."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: WriteClock = WRITES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[int, ...], float, Any]] = (
            OrderedDict()
        )
        self._building: dict[tuple[Any, ...], tuple[tuple[int, ...], asyncio.Future[Any]]] = {}

    async def get(
        self,
        *,
        database: str,
        collections: tuple[str, ...],
        key: tuple[Any, ...],
        build: Callable[[], Awaitable[Any]],
    ) -> Any:
        full_key = (database, *key)
        now = time.monotonic()
        stamp = self._clock.stamp(database, collections)
        cached = self._entries.get(full_key)
        if cached is not None and cached[0] == stamp and cached[1] > now:
            return cached[2]
        building = self._building.get(full_key)
        if building is None or building[0] != stamp:  # as in ResponseCache.respond

            async def build_and_store() -> Any:
                try:
                    value = await build()
                finally:
                    if self._building.get(full_key) is building:
                        del self._building[full_key]
                self._entries[full_key] = (stamp, time.monotonic() + self.ttl_seconds, value)
                self._entries.move_to_end(full_key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                return value

            building = (stamp, asyncio.ensure_future(build_and_store()))
            self._building[full_key] = building
        return await asyncio.shield(building[1])  # a reader who leaves does not stop it


def public_get_key(request: Request) -> tuple[str, ...]:
    """The key of an anonymous ``GET``'s answer: its path and its query string as sent."""
    return (request.url.path, request.url.query)


def answered_from_cache(
    cache: ResponseCache,
    where: Callable[[Request], tuple[str, tuple[str, ...]]],
) -> type[APIRoute]:
    """A FastAPI route class whose anonymous ``GET``s are answered from ``cache`` before
    FastAPI parses and validates anything (dependencies, query parameters): on a hit the
    stored bytes go out at once. ``where(request)`` names the database and the collections
    the answer is read from; the route itself must store its answers under
    ``public_get_key(request)`` (``cache.respond(..., key=public_get_key(request))``).
    A request with credentials or cookies always reaches the route."""

    class CachedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def serve(request: Request) -> Response:
                headers = request.headers
                if request.method == "GET" and not (
                    "authorization" in headers or "cookie" in headers
                ):
                    database, collections = where(request)
                    entry = cache.lookup(database, collections, public_get_key(request))
                    if entry is not None:
                        cache.hits += 1
                        return answer(request, entry)
                return await handler(request)

            return serve

    return CachedRoute
