"""``bus.acks.AckGroup``: which ack frames go out for which settled deliveries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from nkohub_shared.bus.acks import AckGroup


@dataclass
class FakeChannel:
    frames: list[tuple[str, int, bool]] = field(default_factory=list)
    is_closed: bool = False

    async def basic_ack(self, delivery_tag: int, multiple: bool = False) -> None:
        self.frames.append(("ack", delivery_tag, multiple))


@dataclass
class FakeRaw:
    channel: FakeChannel
    delivery_tag: int
    locked: bool = False

    def lock(self) -> None:
        self.locked = True


@dataclass
class FakeMessage:
    raw_message: FakeRaw

    async def ack(self) -> None:
        if not self.raw_message.locked:
            await self.raw_message.channel.basic_ack(self.raw_message.delivery_tag)
            self.raw_message.lock()

    async def nack(self) -> None:
        self.raw_message.channel.frames.append(("nack", self.raw_message.delivery_tag, False))
        self.raw_message.lock()


def deliveries(channel: FakeChannel, n: int) -> list[FakeMessage]:
    return [FakeMessage(FakeRaw(channel, tag)) for tag in range(1, n + 1)]


async def handled_together(acks: AckGroup, messages: list[FakeMessage]) -> None:
    """Deliveries whose handling ends in the same turn of the event loop."""
    await asyncio.gather(*(acks.ack(m) for m in messages))


async def test_deliveries_handled_together_are_acked_by_one_multiple_ack():
    channel, acks = FakeChannel(), AckGroup()
    messages = deliveries(channel, 20)
    await handled_together(acks, list(reversed(messages)))
    assert channel.frames == [("ack", 20, True)]
    assert all(m.raw_message.locked for m in messages)


async def test_a_delivery_still_handled_keeps_the_multiple_ack_below_it_and_the_rest_go_singly():
    channel, acks = FakeChannel(), AckGroup()
    messages = deliveries(channel, 6)
    await handled_together(acks, messages[:2] + messages[3:])  # tag 3 still being handled
    assert channel.frames == [
        ("ack", 2, True),
        ("ack", 4, False),
        ("ack", 5, False),
        ("ack", 6, False),
    ]
    assert not messages[2].raw_message.locked

    more = [FakeMessage(FakeRaw(channel, tag)) for tag in (7, 8)]
    await handled_together(acks, [messages[2], *more])
    # 3 done, 4–6 settled singly before: one multiple ack up to 8 covers exactly 3, 7, 8
    assert channel.frames[4:] == [("ack", 8, True)]


async def test_a_nacked_delivery_in_the_middle_does_not_stop_the_multiple_ack():
    channel, acks = FakeChannel(), AckGroup()
    messages = deliveries(channel, 4)
    await messages[1].nack()
    acks.settled(messages[1])
    await handled_together(acks, [messages[0], messages[2], messages[3]])
    assert channel.frames == [("nack", 2, False), ("ack", 4, True)]


async def test_a_reopened_channel_numbers_from_one_and_the_closed_ones_state_is_dropped():
    old, new, acks = FakeChannel(), FakeChannel(), AckGroup()
    late = asyncio.create_task(acks.ack(deliveries(old, 3)[2]))  # tags 1–2 never handled
    await asyncio.sleep(0)  # handled; the channel closes before its ack goes out
    old.is_closed = True
    await asyncio.gather(late, handled_together(acks, deliveries(new, 2)))
    assert old.frames == []  # RabbitMQ redelivers the old channel's unacked deliveries
    assert new.frames == [("ack", 2, True)]


async def test_deliveries_handled_one_after_another_are_acked_one_by_one():
    channel, acks = FakeChannel(), AckGroup()
    for m in deliveries(channel, 3):
        await acks.ack(m)
    assert channel.frames == [("ack", 1, True), ("ack", 2, True), ("ack", 3, True)]
