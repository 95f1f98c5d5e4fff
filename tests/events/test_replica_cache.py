"""Two replicas of events in one process (each its own runtime, one database, one vhost):
the meetup pages and the .ics feed cached on replica B show what changed through replica A
— a registration taking a seat, a changed meetup — as soon as A's note reaches B through
the broker; both times to live are an hour, so nothing else can show it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from nkohub_events.app import create_app
from tests.events.conftest import STAFF, events_settings, from_client, person, scheduled_meetup
from tests.support.broker import wait_until
from tests.support.inprocess import running_replicas

HOUR = 3600.0


@contextlib.asynccontextmanager
async def two_replicas(sandbox) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = events_settings(sandbox, cache_ttl_seconds=HOUR, cache_fallback_ttl_seconds=HOUR)
    async with running_replicas(create_app, settings) as replicas:
        yield replicas


async def text_of(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def test_a_registration_on_one_replica_changes_the_free_seats_on_the_other(sandbox):
    async with two_replicas(sandbox) as (a, b):
        meetup = await scheduled_meetup(a, capacity=10)
        path = f"/meetups/{meetup['meetup_id']}"
        assert "Свободных мест: <strong>10</strong> из 10" in await text_of(b, path)
        assert "свободных мест: 10" in await text_of(b, "/meetups")
        cached = await b.get(path)

        registered = await a.post(
            f"/api/v1/meetups/{meetup['meetup_id']}/registrations",
            json=person(1),
            headers=from_client(1),
        )
        assert registered.status_code in (201, 202), registered.text

        async def one_seat_taken_on_b() -> bool:
            return "Свободных мест: <strong>9</strong> из 10" in await text_of(b, path)

        await wait_until(one_seat_taken_on_b)
        assert "свободных мест: 9" in await text_of(b, "/meetups")
        again = await b.get(path, headers={"If-None-Match": cached.headers["etag"]})
        assert again.status_code == 200 and again.headers["etag"] != cached.headers["etag"]


async def test_a_meetup_changed_on_one_replica_shows_in_the_others_feed(sandbox):
    async with two_replicas(sandbox) as (a, b):
        meetup = await scheduled_meetup(a, title="Открытое общение: гранты")
        feed = "/api/v1/calendar.ics"
        assert "Открытое общение: гранты" in await text_of(b, feed)
        changed = await a.patch(
            f"/api/v1/meetups/{meetup['meetup_id']}",
            json={"title": "Открытое общение: отчёты НКО"},
            headers=STAFF,
        )
        assert changed.status_code == 200, changed.text

        async def renamed_on_b() -> bool:
            return "отчёты НКО" in await text_of(b, feed) and "отчёты НКО" in await text_of(
                b, "/meetups"
            )

        await wait_until(renamed_on_b)
        assert b.app.state.runtime.cache_notes.heard >= 1
