"""Two replicas of publishing in one process (each its own runtime, one database, one
vhost): a page cached on replica B shows a change made through replica A as soon as A's
note reaches B through the broker — both times to live an hour, so nothing else can show
it — and B, cut off from the notes, falls back to the short time to live."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from nkohub_publishing import pages
from nkohub_publishing.app import create_app
from nkohub_publishing.repository import OUTBOX_COLLECTIONS
from nkohub_shared.storage.outbox import PENDING_FILTER
from tests.publishing.conftest import make_post, views_of
from tests.support.broker import wait_until
from tests.support.inprocess import running_replicas, staff_headers

READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
HOUR = 3600.0


@contextlib.asynccontextmanager
async def two_replicas(
    publishing_settings, **overrides: float
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = publishing_settings(
        **{"cache_ttl_seconds": HOUR, "cache_fallback_ttl_seconds": HOUR, **overrides}
    )
    async with running_replicas(create_app, settings) as (replica_a, replica_b):
        for client in (replica_a, replica_b):
            client.headers.update(staff_headers())
        yield replica_a, replica_b


async def settled(writer: Any, reader: Any) -> None:
    """The writer's outboxes are empty and the reader heard two notes from it since."""

    async def outbox_empty() -> bool:
        for name in OUTBOX_COLLECTIONS:
            if await writer.db[name].count_documents(PENDING_FILTER):
                return False
        return True

    await wait_until(outbox_empty)
    heard = reader.cache_notes.heard
    await wait_until(lambda: reader.cache_notes.heard >= heard + 2)


async def page(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path, headers=READER)
    assert response.status_code == 200, response.text
    return response


async def test_a_post_edited_on_one_replica_shows_on_the_other(publishing_settings):
    async with two_replicas(publishing_settings) as (a, b):
        post = await make_post(a, title="Запись до правки")
        path = f"/posts/{post['slug']}"
        before = await page(b, path)
        assert "Запись до правки" in before.text
        assert (await page(b, path)).headers["etag"] == before.headers["etag"]  # cached

        edited = await a.patch(f"/api/v1/posts/{post['id']}", json={"title": "Правка с A"})
        assert edited.status_code == 200, edited.text

        async def shown_on_b() -> bool:
            return "Правка с A" in (await page(b, path)).text

        await wait_until(shown_on_b)
        runtime_a, runtime_b = a.app.state.runtime, b.app.state.runtime
        assert runtime_b.cache_notes.heard >= 1 and runtime_a.cache_notes.sent >= 1
        after = await b.get(path, headers={**READER, "If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]


async def test_a_new_post_published_on_one_replica_reaches_the_others_home(publishing_settings):
    async with two_replicas(publishing_settings) as (a, b):
        await make_post(a, title="Первая запись")
        home = await page(b, "/")
        assert "Первая запись" in home.text  # B's first build reads the store
        await make_post(a, title="Вторая запись")

        async def on_b_home() -> bool:
            return "Вторая запись" in (await page(b, "/")).text

        await wait_until(on_b_home)


async def test_a_view_counted_on_one_replica_keeps_the_others_pages(publishing_settings):
    """A counted view is written inside ``unseen()``: announced to no one, so the other
    replica's cached page stays (its counters, its body and its validators)."""
    async with two_replicas(publishing_settings) as (a, b):
        post = await make_post(a, title="Читаемая запись")
        path = f"/posts/{post['slug']}"
        runtime_a, runtime_b = a.app.state.runtime, b.app.state.runtime
        await settled(runtime_a, runtime_b)  # the relay's $pull of the events is a write too
        cached = await page(b, path)
        stamp = runtime_b.writes.stamp(runtime_b.db.name, pages.POST_READS)
        for n in range(3):
            other = {"User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Chrome/13{n}.0"}
            assert (await a.get(path, headers=other)).status_code == 200
        assert await views_of(a, [post["id"]], total=4) == [4]  # B's reader, A's three
        heard = runtime_b.cache_notes.heard
        await wait_until(lambda: runtime_b.cache_notes.heard >= heard + 2)  # A's next notes
        assert runtime_b.writes.stamp(runtime_b.db.name, pages.POST_READS) == stamp
        again = await b.get(path, headers={**READER, "If-None-Match": cached.headers["etag"]})
        assert again.status_code == 304


@pytest.mark.slow
async def test_a_replica_cut_off_from_the_notes_uses_the_short_time_to_live(
    publishing_settings,
):
    """B's subscription to the notes stopped (its queue goes with it): B's own notes stop
    coming back, B stops listening and trusts what it read for the short time to live
    only (here 0.3 s, the long one an hour), so A's edit, whose note reaches no one, still
    shows on B."""
    async with two_replicas(publishing_settings, cache_fallback_ttl_seconds=0.3) as (a, b):
        notes_b = b.app.state.runtime.cache_notes
        notes_b.policy = replace(notes_b.policy, trust_seconds=1.0)
        post = await make_post(a, title="Запись до обрыва")
        path = f"/posts/{post['slug']}"
        assert "Запись до обрыва" in (await page(b, path)).text

        await notes_b.subscriber.stop()
        await wait_until(lambda: not b.app.state.runtime.writes.listening)

        edited = await a.patch(f"/api/v1/posts/{post['id']}", json={"title": "Правка в обрыв"})
        assert edited.status_code == 200, edited.text
        heard = notes_b.heard

        async def shown_on_b() -> bool:
            return "Правка в обрыв" in (await page(b, path)).text

        await wait_until(shown_on_b)
        assert notes_b.heard == heard  # no note carried it: the short time to live did
        assert pages.PAGES.ttl_seconds is None  # the services' TTL is the runtime's setting
