"""Acks of one consumer queue's channel, sent together (``basic.ack`` with ``multiple``).

Deliveries handled in the same turn of the event loop (a group commit's callers finish
together) would each send an ack frame: a socket write per message, and as many acks for
RabbitMQ to process. Instead a handled delivery is marked done, yields once, and the first
of that turn's deliveries to resume acks for all: one ``multiple`` ack up to the highest
delivery tag below which every delivery of the channel is settled, then single acks for
the done ones above a delivery still being handled (they are not held back: that would
pin the prefetch window behind a delivery waiting out an outage).

This is only correct on a channel whose deliveries all go through one ``AckGroup``:
delivery tags are per channel, numbered 1, 2, 3, … in delivery order, so each consumer
queue has a channel of its own (``EventConsumer.subscribe``). The state is kept per AMQP
channel object: a channel reopened after a connection loss numbers its deliveries from 1
again, and the unacked deliveries of the old one are redelivered by RabbitMQ.

A delivery is acked only after its handler's effect is written, as before; a crash
between the two redelivers it, and consumers are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("nkohub.consumer")


@dataclass
class _Channel:
    channel: Any  # the AMQP channel (held, so that its id is not reused meanwhile)
    low: int = 1  # every tag below it is settled (acked, nacked or rejected)
    done: dict[int, Any] = field(default_factory=dict)  # handled, not yet acked: tag → message
    settled: set[int] = field(default_factory=set)  # settled one by one, at or above ``low``


class AckGroup:
    """``await acks.ack(message)`` instead of ``await message.ack()``; ``settled(message)``
    after settling a message any other way (nack, reject)."""

    def __init__(self) -> None:
        self._channels: dict[int, _Channel] = {}  # by id() of the AMQP channel

    async def ack(self, message: Any) -> None:
        raw = message.raw_message
        tag = raw.delivery_tag
        if tag is None:  # not from a consumer (a test's message): nothing to group
            await message.ack()
            return
        state = self._state(raw.channel)
        state.done[tag] = message
        await asyncio.sleep(0)  # the deliveries finishing in this turn of the loop join
        if state.done:  # the first of them to get here acks for all
            await self._flush(state)

    def settled(self, message: Any) -> None:
        raw = getattr(message, "raw_message", None)
        tag = getattr(raw, "delivery_tag", None)
        if tag is None:
            return
        try:
            channel = raw.channel
        except Exception:  # closed: its state goes with it
            return
        state = self._state(channel)
        if tag >= state.low:
            state.settled.add(tag)

    def _state(self, channel: Any) -> _Channel:
        state = self._channels.get(id(channel))
        if state is None:
            state = self._channels[id(channel)] = _Channel(channel)
        return state

    async def _flush(self, state: _Channel) -> None:
        if getattr(state.channel, "is_closed", False):  # its unacked ones come again
            self._channels.pop(id(state.channel), None)
            return
        try:
            await self._ack_channel(state)
        except Exception as exc:  # the channel went away: RabbitMQ redelivers them
            log.warning("acks not sent (%r); the deliveries will come again", exc)
            self._channels.pop(id(state.channel), None)

    @staticmethod
    async def _ack_channel(state: _Channel) -> None:
        last_done = None
        tag = state.low
        while tag in state.done or tag in state.settled:
            if tag in state.done:
                last_done = tag
            state.settled.discard(tag)
            tag += 1
        singles = [t for t in state.done if last_done is None or t > last_done]
        state.low = tag
        if last_done is not None:
            covered = [t for t in state.done if t <= last_done]
            message = state.done[last_done]
            for t in covered:
                state.done.pop(t).raw_message.lock()  # settled: FastStream won't ack it
            await message.raw_message.channel.basic_ack(delivery_tag=last_done, multiple=True)
        for t in sorted(singles):
            message = state.done.pop(t)
            state.settled.add(t)
            await message.ack()
