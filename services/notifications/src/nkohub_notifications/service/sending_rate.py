"""The sender's rate limits, shared by every replica: each message waits for a send slot
taken in MongoDB (``SendSlotRepository``), so N processes together send at the configured
rate, not N times it.

Slots are moments on the wall clock (epoch seconds): the replicas' clocks should agree
(NTP). A replica whose clock runs ahead only makes the others wait longer; the rate is
never exceeded by the slots themselves. ``clock`` and ``sleep`` are injectable for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nkohub_notifications.domain.messages import Channel
from nkohub_notifications.domain.rate import Pace
from nkohub_notifications.repository.send_slots import SendSlotRepository
from nkohub_notifications.settings import NotificationsSettings

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SendingRate:
    """One line of slots (a channel, or the mailings) at ``rate`` messages per second."""

    def __init__(
        self,
        name: str,
        rate: float,
        slots: SendSlotRepository,
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._pace = Pace(rate)
        self._line = self._pace.line(name)
        self._slots = slots
        self._clock = clock
        self._sleep = sleep

    async def wait(self) -> float | None:
        """Take a slot and wait until it starts; returns its start (``None``: no limit)."""
        if not self._pace.limited:
            return None
        slot = await self._slots.take(self._line, self._pace.slot_at(self._clock()))
        starts = self._pace.start_of(slot)
        delay = starts - self._clock()
        if delay > 0:
            await self._sleep(delay)
        return starts


@dataclass(frozen=True)
class Pacing:
    """The rates the sender keeps: one per channel, and a mailing's within its channel's."""

    channels: dict[Channel, SendingRate]
    mailings: SendingRate

    @classmethod
    def of(
        cls,
        settings: NotificationsSettings,
        slots: SendSlotRepository,
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        rate: type[SendingRate] = SendingRate,
    ) -> Pacing:
        def line(name: str, per_second: float) -> SendingRate:
            return rate(name, per_second, slots, clock=clock, sleep=sleep)

        return cls(
            channels={
                Channel.EMAIL: line("email", settings.email_rate_per_second),
                Channel.WEBHOOK: line("webhook", settings.webhook_rate_per_second),
                Channel.TELEGRAM: line("telegram", settings.telegram_rate_per_second),
            },
            mailings=line("mailing", settings.mailing_rate_per_second),
        )
