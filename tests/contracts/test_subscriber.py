"""The example subscriber against the real broker: idempotent, dead-letters what cannot
succeed, survives its broker connection and its own restart, and a subscriber born after a
season rebuilds the same attendance figures from the history as one that was there."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from faststream.rabbit import RabbitBroker

from nkohub_contracts import new_event
from nkohub_contracts.common import MeetupSnapshot, Venue
from nkohub_contracts.events import AttendanceRecorded, MeetupScheduled
from nkohub_events.app import create_app
from nkohub_shared.bus.topology import HistoryRetention, declare_platform
from tests.contracts.example import EXAMPLE_SRC  # noqa: F401  (the example on sys.path)
from tests.contracts.history import close_connections, connections_of
from tests.events.conftest import (
    STAFF,
    events_settings,
    from_client,
    move_to_past,
    person,
    scheduled_meetup,
)
from tests.support.broker import drain, publish_events, queue_depth, wait_until
from tests.support.inprocess import running
from tests.support.isolation import Sandbox

from meetup_subscriber import MeetupSubscriber, Settings  # isort: skip

START = datetime(2026, 3, 28, 14, 0, tzinfo=UTC)


@contextlib.asynccontextmanager
async def subscriber(
    sandbox: Sandbox, tmp_path: Path, name: str, **settings: Any
) -> AsyncIterator[MeetupSubscriber]:
    """The example, in this process, with a store and a queue of its own (``name``)."""
    running_subscriber = MeetupSubscriber(
        Settings(
            amqp_url=sandbox.amqp_url,
            queue=f"{name}.meetups",
            database=str(tmp_path / f"{name}.sqlite3"),
            **settings,
        )
    )
    await running_subscriber.start()
    try:
        yield running_subscriber
    finally:
        await running_subscriber.stop()


def attendance(s: MeetupSubscriber) -> dict[str, tuple[int, int, str]]:
    """meetup id -> (attendances, distinct people, status)."""
    return {
        mid: (f.attendances, f.participants, f.status)
        for mid, f in s.store.attendance_per_meetup().items()
    }


async def platform_topology(sandbox: Sandbox) -> None:
    """What every service declares at start (the exchange and the history stream)."""
    broker = RabbitBroker(sandbox.amqp_url)
    await broker.connect()
    try:
        await declare_platform(broker, HistoryRetention(100_000_000, "30D"))
    finally:
        await broker.stop()


def meetup(mid: str) -> MeetupScheduled:
    return MeetupScheduled(
        meetup=MeetupSnapshot(
            meetup_id=mid,
            slug=mid,
            title=f"Встреча {mid}",
            kind="meetup",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            venue=Venue(name="ПНБ им. В.Г. Короленко"),
            capacity=65,
        )
    )


def came(mid: str, *people: int) -> list[AttendanceRecorded]:
    return [
        AttendanceRecorded(
            attendance_id=f"{mid}-{p}",
            meetup_id=mid,
            meetup_title=f"Встреча {mid}",
            meetup_starts_at=START,
            person_key=f"person-{p}",
            role="activist",
            checked_in_at=START,
        )
        for p in people
    ]


async def test_each_event_counts_once_and_what_cannot_succeed_is_dead_lettered(sandbox, tmp_path):
    await platform_topology(sandbox)
    async with subscriber(sandbox, tmp_path, "volunteers", delivery_limit=2) as s:
        # the handler fails for one event, every time: retried up to the limit, then dead
        real_handle = s.store.handle
        doomed = new_event(came("m1", 99)[0])

        def failing(event, via, **kwargs):
            if event.id == doomed.id:
                raise RuntimeError("the store refused")
            return real_handle(event, via, **kwargs)

        s.store.handle = failing  # type: ignore[method-assign]
        first = await publish_events(sandbox.amqp_url, meetup("m1"), *came("m1", 1, 2, 3))
        newer = new_event(came("m1", 4)[0]).model_dump(mode="json")
        newer["data"]["seat"] = "B-12"  # a newer minor version of the contract
        await publish_events(
            sandbox.amqp_url,
            first[1],  # published again: a duplicate by its id
            type(first[1]).model_validate(newer),
            doomed,
        )
        await _publish_raw(sandbox.amqp_url, "events.attendance.recorded", b'{"specversion": "1.0"')

        dead = f"{s.settings.queue}.dead-letter"
        await wait_until(lambda: attendance(s).get("m1", (0,))[0] == 4)
        await wait_until(lambda: _depth_is(sandbox.amqp_url, dead, 2), timeout=30)
        assert attendance(s) == {"m1": (4, 4, "scheduled")}
        assert s.store.duplicates == 1, "the republished attendance, recognised by its id"
        letters = await drain(sandbox.amqp_url, dead)
        assert sorted(m.body for m in letters) == sorted(
            [b'{"specversion": "1.0"', doomed.model_dump_json(exclude_none=True).encode()]
        )
        assert await queue_depth(sandbox.amqp_url, s.settings.queue) == 0


async def _depth_is(amqp_url: str, queue: str, depth: int) -> bool:
    return await queue_depth(amqp_url, queue) == depth


async def _publish_raw(amqp_url: str, routing_key: str, body: bytes) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("nkohub")
        await exchange.publish(aio_pika.Message(body, message_id="broken"), routing_key)


async def test_it_survives_a_dropped_connection_and_its_own_restart(sandbox, tmp_path):
    await platform_topology(sandbox)
    async with subscriber(sandbox, tmp_path, "survivor") as s:
        await publish_events(sandbox.amqp_url, meetup("m1"), *came("m1", 1, 2))
        await wait_until(lambda: attendance(s) == {"m1": (2, 2, "scheduled")})
        # the subscriber's connection is the only one of this vhost now
        dropped = await wait_until(lambda: connections_of(sandbox), timeout=30)
        close_connections(sandbox, dropped)
        # while it reconnects, the durable queue keeps what arrives
        await publish_events(sandbox.amqp_url, *came("m1", 3, 4))
        await wait_until(lambda: attendance(s) == {"m1": (4, 4, "scheduled")}, timeout=60)
        reconnected = await wait_until(lambda: set(connections_of(sandbox)) - set(dropped), 30)
        assert reconnected, "a new connection of its own"
        settings = s.settings
    # stopped: events arrive meanwhile; the next start on the same store and queue takes
    # them, and what was handled before is not counted again
    await publish_events(sandbox.amqp_url, *came("m1", 5), meetup("m2"), *came("m2", 1))
    again = MeetupSubscriber(settings)
    await again.start()
    try:
        await wait_until(
            lambda: attendance(again) == {"m1": (5, 5, "scheduled"), "m2": (1, 1, "scheduled")}
        )
        assert again.replay_done.is_set(), "no replay asked for"
    finally:
        await again.stop()


async def test_a_replay_starts_from_an_offset_or_a_time_and_continues_live(sandbox, tmp_path):
    await platform_topology(sandbox)
    await publish_events(sandbox.amqp_url, meetup("m1"), *came("m1", 1, 2))  # offsets 0-2
    # stream timestamps are whole seconds: the second part starts in a later second
    boundary = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)
    await asyncio.sleep((boundary - datetime.now(UTC)).total_seconds() + 0.05)
    await publish_events(sandbox.amqp_url, meetup("m2"), *came("m2", 1, 2, 3))  # offsets 3-6

    async with (
        subscriber(sandbox, tmp_path, "from-offset", replay_from=4) as by_offset,
        subscriber(sandbox, tmp_path, "from-time", replay_from=boundary) as by_time,
        subscriber(sandbox, tmp_path, "from-first", replay_from="first") as from_first,
    ):
        await wait_until(lambda: attendance(from_first).get("m2", (0,))[0] == 3)
        await wait_until(lambda: attendance(by_time).get("m2", (0,))[0] == 3)
        await wait_until(lambda: attendance(by_offset).get("m2", (0,))[0] == 3)
        # live after the replay: each ends its replay when it meets its queue
        await publish_events(sandbox.amqp_url, *came("m2", 4), *came("m1", 3))
        everything = {"m1": (3, 3, "scheduled"), "m2": (4, 4, "scheduled")}
        # from offset 4 (m2's first attendance) or from the second m2 was announced in:
        # nothing of m1 before, m1's later attendance all the same
        since_m2 = {"m1": (1, 1, "scheduled"), "m2": (4, 4, "scheduled")}
        await wait_until(lambda: attendance(from_first) == everything)
        await wait_until(lambda: attendance(by_offset) == since_m2)
        await wait_until(lambda: attendance(by_time) == since_m2)
        for s in (by_offset, by_time, from_first):
            await asyncio.wait_for(s.replay_done.wait(), 30)
            state = s.store.replay()
            assert state is not None and state.done_at is not None
            assert state.next_offset is not None and state.next_offset >= 8


async def play_meetup(client, title: str, registered: range, present: list[int]) -> str:
    """A meetup through the events service's API: scheduled, people register, some come,
    it is completed with its figures."""
    mid = (await scheduled_meetup(client, title=title, capacity=65))["meetup_id"]
    registrations = {}
    for i in registered:
        r = await client.post(
            f"/api/v1/meetups/{mid}/registrations", json=person(i), headers=from_client(i)
        )
        assert r.status_code == 201, r.text
        registrations[i] = r.json()["registration_id"]
    for i in present:
        r = await client.post(f"/api/v1/registrations/{registrations[i]}/check-in", headers=STAFF)
        assert r.status_code == 200, r.text
    await move_to_past(client, mid)
    done = await client.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert done.status_code == 200, done.text
    return mid


async def test_a_subscriber_born_after_the_season_rebuilds_the_same_figures(sandbox, tmp_path):
    app = create_app(events_settings(sandbox))
    async with (
        running(app) as events,
        subscriber(sandbox, tmp_path, "there-from-the-start") as early,
    ):
        season = [
            await play_meetup(events, "Учредительные документы НКО", range(1, 7), [1, 2, 3, 4, 5]),
            await play_meetup(events, "Презентация НКО", range(3, 10), [3, 4, 6, 7]),
            await play_meetup(events, "Точка кипения", range(1, 5), [1]),
        ]
        expected = {
            season[0]: (5, 5, "completed"),
            season[1]: (4, 4, "completed"),
            season[2]: (1, 1, "completed"),
        }
        await wait_until(lambda: attendance(early) == expected, timeout=60)

        async with subscriber(sandbox, tmp_path, "born-later", replay_from="first") as late:
            await wait_until(lambda: attendance(late) == expected, timeout=60)
            # the season goes on while the newcomer has just caught up
            december = await play_meetup(events, "Новогодний", range(10, 14), [10, 11, 13])
            expected[december] = (3, 3, "completed")
            await wait_until(lambda: attendance(early) == expected, timeout=60)
            await wait_until(lambda: attendance(late) == expected, timeout=60)
            await asyncio.wait_for(late.replay_done.wait(), 30)

            assert late.store.attendance_per_meetup() == early.store.attendance_per_meetup()
            for figures in late.store.attendance_per_meetup().values():
                assert figures.reported_participants == figures.participants, figures
            late_ways = _handled(late)
            assert _handled(early).keys() == late_ways.keys(), "the same events, each once"
            assert set(late_ways.values()) == {"history", "live"}
            born = late.store.replay()
            assert born is not None and born.done_at is not None


def _handled(s: MeetupSubscriber) -> dict[str, str]:
    """event id -> how it came (live or history)."""
    return dict(s.store._db.execute("SELECT event_id, via FROM handled").fetchall())
