"""Reads kept by key while nothing they were read from has been written
(``QueryCache``), and the mark a cache takes before it reads (``Mark``), which the web
layer's ``ResponseCache`` takes too. Freshness is the write clock's
(``storage.writeclock``): a write to one of the read collections, by this replica or
another (its cache notes), or the time to live, ends an entry."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nkohub_shared.storage.writeclock import WRITES, WriteClock

DEFAULT_MAX_ENTRIES = 1024


@dataclass(frozen=True)
class Mark:
    """What a cache notes before reading: the counters, the clock's epoch and the time."""

    counters: tuple[int, ...]
    epoch: int
    since: float


def mark_before_read(clock: WriteClock, database: str, collections: tuple[str, ...]) -> Mark:
    return Mark(clock.stamp(database, collections), clock.epoch, time.monotonic())


class QueryCache:
    """Results of reads by key, fresh on the same terms as ``ResponseCache`` (no write to
    their collections here or on another replica, within the time to live). Callers must
    not change a result they get: it is shared by every request that asks the same."""

    def __init__(
        self,
        *,
        ttl_seconds: float | None = None,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: WriteClock = WRITES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[Any, ...], tuple[Mark, float, Any]] = OrderedDict()
        self._building: dict[tuple[Any, ...], tuple[tuple[int, ...], asyncio.Future[Any]]] = {}

    async def get(
        self,
        *,
        database: str,
        collections: tuple[str, ...],
        key: tuple[Any, ...],
        build: Callable[[], Awaitable[Any]],
        clock: WriteClock | None = None,
    ) -> Any:
        clock = clock or self._clock
        full_key = (clock, database, *key)
        mark = mark_before_read(clock, database, collections)
        cached = self._entries.get(full_key)
        if (
            cached is not None
            and cached[0].counters == mark.counters
            and clock.fresh(cached[0].since, cached[0].epoch, cached[1], mark.since)
        ):
            return cached[2]
        building = self._building.get(full_key)
        if building is None or building[0] != mark.counters:  # as in ResponseCache.respond
            ttl = clock.ttl_seconds if self.ttl_seconds is None else self.ttl_seconds

            async def build_and_store() -> Any:
                try:
                    value = await build()
                finally:
                    if self._building.get(full_key) is building:
                        del self._building[full_key]
                self._entries[full_key] = (mark, mark.since + ttl, value)
                self._entries.move_to_end(full_key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                return value

            building = (mark.counters, asyncio.ensure_future(build_and_store()))
            self._building[full_key] = building
        return await asyncio.shield(building[1])  # a reader who leaves does not stop it
