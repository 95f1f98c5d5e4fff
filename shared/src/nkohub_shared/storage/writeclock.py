"""Counters of this process's writes per (database, collection): a PyMongo command
listener on every client (``WRITES``) and one per runtime's client (``WriteClock(of_client=
True)``), moved when a write command ends, or when another replica's note says it wrote.
The public caches (``nkohub_shared.web.caching``) serve an answer only while the counters
of the collections it was built from did not move; the notes between replicas
(``nkohub_shared.bus.cachenotes``) carry what moved here to the others. Storage-level: it
knows collections, not pages."""

from __future__ import annotations

import contextvars
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pymongo import monitoring

WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify"})
DEFAULT_TTL_SECONDS = 5.0
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


Changed = Callable[[str, str], None]


class WriteClock(monitoring.CommandListener):
    """Counters of writes per (database, collection), moved when a write command ends
    (succeeded or failed: a failed one may have written part of a batch), or when another
    replica's note says it wrote (``heard``); and how long what was read may be trusted.

    ``ttl_seconds`` holds while the clock is *listening* to the other replicas' notes
    (``heard_itself`` renews that for ``trust_seconds`` at a time); otherwise, and for an
    entry read in an earlier listening spell (another ``epoch``), ``fallback_ttl_seconds``.

    A clock made with ``of_client=True`` is given to one client as its listener (a
    runtime's): it counts that client's writes and those of the process's clients that
    have no clock of their own (a script, a test), never another runtime's — so two
    runtimes in one process keep apart what each wrote, as two replicas would.
    """

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        fallback_ttl_seconds: float = DEFAULT_TTL_SECONDS,
        of_client: bool = False,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.fallback_ttl_seconds = fallback_ttl_seconds
        self.epoch = 0  # moves each time the clock starts listening again
        self._trusted_until = 0.0  # monotonic: listening until then
        self._counters: dict[tuple[str, str], int] = {}
        self._started: dict[tuple[Any, int], tuple[str, str]] = {}
        self._lock = threading.Lock()  # listeners may be called from PyMongo's threads
        self._announce: Changed | None = None
        self._of_client = of_client
        if of_client:
            _CLIENT_CLOCKS.add(self)

    # ---------------------------------------------------------------- counters

    def stamp(self, database: str, collections: Iterable[str]) -> tuple[int, ...]:
        """The current counters of ``collections`` of ``database``."""
        counters = self._counters
        return tuple(counters.get((database, name), 0) for name in collections)

    def moved(self, database: str, collection: str) -> None:
        """Count a write that did not go through a command this process sent."""
        self._count((database, collection))

    def heard(self, database: str, collections: Iterable[str]) -> None:
        """Another replica wrote to ``collections`` of ``database``: count it here (and
        announce it to no one)."""
        with self._lock:
            for name in collections:
                key = (database, name)
                self._counters[key] = self._counters.get(key, 0) + 1

    def announce_to(self, changed: Changed | None) -> None:
        """Call ``changed(database, collection)`` after each write this clock counts
        itself (not those it ``heard``)."""
        self._announce = changed

    def _count(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
        announce = self._announce
        if announce is not None:
            announce(*key)

    # ---------------------------------------------------------------- trust

    @property
    def listening(self) -> bool:
        return time.monotonic() < self._trusted_until

    def heard_itself(self, trust_seconds: float) -> None:
        """This replica's own note came back through the exchange: every note sent before
        it reached every replica listening, so trust entries for ``trust_seconds`` more
        (a new ``epoch`` if the clock was not listening)."""
        now = time.monotonic()
        if now >= self._trusted_until:
            self.epoch += 1
        self._trusted_until = now + trust_seconds

    def deaf(self) -> None:
        """Stop trusting the notes at once (the subscription is gone)."""
        self._trusted_until = 0.0

    def fresh(self, since: float, epoch: int, expires: float, now: float) -> bool:
        """Whether what was read at ``since`` (in ``epoch``) may still be served."""
        if now >= expires:
            return False
        if epoch == self.epoch and now < self._trusted_until:
            return True
        return now < since + self.fallback_ttl_seconds

    # ---------------------------------------------------------------- the listener

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in WRITE_COMMANDS or _UNSEEN.get():
            return
        collection = event.command.get(event.command_name)
        if isinstance(collection, str):
            command = (event.connection_id, event.request_id)
            with self._lock:
                self._started[command] = (event.database_name, collection)
            if self._of_client:
                with _CLAIMS_LOCK:
                    _CLAIMED.add(command)

    def _ended(
        self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent
    ) -> None:
        if event.command_name not in WRITE_COMMANDS:
            return
        command = (event.connection_id, event.request_id)
        with self._lock:
            key = self._started.pop(command, None)
        if key is None:
            return
        self._count(key)
        if self is WRITES:  # the process-wide clock hears every client first
            with _CLAIMS_LOCK:
                claimed = command in _CLAIMED
                _CLAIMED.discard(command)
            if not claimed:  # a client without a clock: every runtime counts it
                for clock in list(_CLIENT_CLOCKS):
                    clock._count(key)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._ended(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._ended(event)


_CLIENT_CLOCKS: weakref.WeakSet[WriteClock] = weakref.WeakSet()
_CLAIMED: set[tuple[Any, int]] = set()  # commands a client's own clock counts
_CLAIMS_LOCK = threading.Lock()

WRITES = WriteClock()
# A global listener joins every client created after this import; the services import
# their pages (and so this module) before their runtime creates its client.
monitoring.register(WRITES)
