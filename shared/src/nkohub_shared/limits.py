"""Rate limits of the public door: what a limit is and the refusal when it is reached.

A ``Limit`` allows ``count`` hits per ``per_seconds`` window for one key (a client address,
a target e-mail address, an organization). Counting happens in MongoDB
(``nkohub_shared.storage.ratelimit``), so every replica of a service shares the count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from nkohub_shared.errors import DomainError


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "registration-per-client"
    count: int
    per_seconds: int

    def window_start(self, now: datetime) -> int:
        """The start (epoch seconds) of the window ``now`` falls in."""
        epoch = int(now.timestamp())
        return epoch - epoch % self.per_seconds

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the next window opens (at least 1)."""
        end = self.window_start(now) + self.per_seconds
        return max(1, math.ceil(end - now.timestamp()))


class RateLimited(DomainError):
    """429 with ``Retry-After``: too many attempts of one kind from one client or to one
    address; the message says what to do, in Russian (it reaches the person)."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field, retry_after=retry_after)
        self.retry_after = retry_after
