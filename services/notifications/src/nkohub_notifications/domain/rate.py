"""The arithmetic of the sending rate: evenly spaced send slots, no bursts.

At ``rate`` messages per second, slot ``n`` starts at ``n / rate`` seconds after the epoch;
one message leaves per slot. Who takes which slot is decided in MongoDB
(``service.sending_rate``), so every replica of the service shares the one sequence: any
second holds at most ``ceil(rate)`` slots, however many processes send.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Pace:
    rate: float  # messages per second; 0 = no limit

    @property
    def limited(self) -> bool:
        return self.rate > 0

    def slot_at(self, moment: float) -> int:
        """The slot ``moment`` (epoch seconds) falls in: the earliest one still usable."""
        return math.floor(moment * self.rate)

    def start_of(self, slot: int) -> float:
        """When the message of ``slot`` may leave (epoch seconds)."""
        return slot / self.rate

    def line(self, name: str) -> str:
        """The key of a line of slots: a changed rate starts a fresh sequence rather than
        reading another rate's slot numbers."""
        return f"{name}@{self.rate:g}"
