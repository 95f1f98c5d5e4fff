"""Group commit: the writes that callers ask for while one is on its way go in the next.

Used by the processed-events record (``bus.inbox``) and by ``storage.idempotent``'s
grouped ``apply_once``: a stream of small writes costs one round trip per group instead
of one per write, and each caller still gets its own answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupWrite(Generic[T, R]):
    """Group commit: items asked for while a write is on its way go in the next one.

    ``write`` takes a list of items and returns one result per item (an exception in the
    list fails only that item's caller); an exception it raises fails the whole group.
    """

    def __init__(
        self, write: Callable[[list[T]], Awaitable[list[R | Exception]]], *, max_items: int
    ) -> None:
        self._write = write
        self._max = max_items
        self._queued: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queued.append((item, future))
        writer = self._writer
        if writer is None or writer.done() or writer.get_loop() is not loop:
            self._writer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let the deliveries of this turn of the loop join
        while self._queued:
            group, self._queued = self._queued[: self._max], self._queued[self._max :]
            try:
                results = await self._write([item for item, _ in group])
            except BaseException as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            for (_, future), result in zip(group, results, strict=True):
                if future.done():  # its delivery was cancelled meanwhile
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
