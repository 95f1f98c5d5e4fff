"""Two replicas of the registry in one process (each its own runtime, one database, one
vhost): the public search cached on replica B (its answer bytes and its query results)
shows an organization edited or added through replica A as soon as A's note reaches B
through the broker; both times to live are an hour, so nothing else can show it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from nkohub_registry.app import create_app
from nkohub_registry.settings import RegistrySettings
from tests.registry.conftest import STAFF, create_org
from tests.support.broker import wait_until
from tests.support.inprocess import running_replicas

API = "/api/v1/organizations"
HOUR = 3600.0


@contextlib.asynccontextmanager
async def two_replicas(sandbox) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = RegistrySettings(
        **sandbox.settings("registry", cache_ttl_seconds=HOUR, cache_fallback_ttl_seconds=HOUR)
    )
    async with running_replicas(create_app, settings) as replicas:
        yield replicas


async def names_on(client: httpx.AsyncClient, q: str) -> list[str]:
    response = await client.get(API, params={"q": q})
    assert response.status_code == 200, response.text
    return sorted(o["full_name"] for o in response.json()["items"])


async def test_an_organization_edited_on_one_replica_is_found_so_on_the_other(sandbox):
    async with two_replicas(sandbox) as (a, b):
        org = await create_org(a, full_name="АНО «Ольха»")
        assert await names_on(b, "ольха") == ["АНО «Ольха»"]
        cached = await b.get(API, params={"q": "ольха"})
        assert (
            await b.get(
                API, params={"q": "ольха"}, headers={"If-None-Match": cached.headers["etag"]}
            )
        ).status_code == 304

        edited = await a.patch(
            f"{API}/{org['id']}", json={"full_name": "АНО «Ольха и клён»"}, headers=STAFF
        )
        assert edited.status_code == 200, edited.text

        async def renamed_on_b() -> bool:
            return await names_on(b, "ольха") == ["АНО «Ольха и клён»"]

        await wait_until(renamed_on_b)
        await create_org(a, full_name="Фонд «Ольховка»")

        async def added_on_b() -> bool:
            return await names_on(b, "ольх") == ["АНО «Ольха и клён»", "Фонд «Ольховка»"]

        await wait_until(added_on_b)
        assert b.app.state.runtime.cache_notes.heard >= 2
