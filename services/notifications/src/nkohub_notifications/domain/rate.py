"""The arithmetic of the per-channel rate limit: evenly spaced slots, no bursts."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Hands out send slots ``1/rate`` seconds apart; rate 0 = no limit.

    ``reserve()`` books the next slot and returns how long to wait for it (0 when it is
    now); the caller sleeps that long. ``clock`` (monotonic seconds) is injectable."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next = 0.0

    def reserve(self) -> float:
        if not self._interval:
            return 0.0
        current = self._clock()
        slot = max(self._next, current)
        self._next = slot + self._interval
        return slot - current
