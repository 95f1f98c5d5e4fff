"""Fixtures of the registry's tests: the service running in-process on the real servers."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from nkohub_registry.app import create_app
from nkohub_registry.domain.identifiers import make_inn, make_ogrn
from nkohub_registry.repository import OUTBOX_COLLECTIONS
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.storage.outbox import PENDING_FILTER
from tests.support.broker import EventSpy, publish_events, wait_until
from tests.support.inprocess import running, staff_headers

STAFF = staff_headers()
ADMIN = staff_headers(role="admin", sub="admin")
_counter = itertools.count(1)


def identifiers(n: int | None = None) -> tuple[str, str]:
    """A fresh (ОГРН, ИНН) pair, shaped like Udmurtian NGO numbers, valid check digits."""
    n = next(_counter) if n is None else n
    ogrn = make_ogrn(f"1{(n % 20) + 2:02d}18{n:07d}")  # 1, year, region 18, record number
    inn = make_inn(f"1837{n:05d}")  # Glazov tax office 1837
    return ogrn, inn


def org_payload(**overrides: Any) -> dict[str, Any]:
    ogrn, inn = identifiers()
    return {
        "full_name": "Автономная некоммерческая организация «Ёлочка»",
        "short_name": "АНО «Ёлочка»",
        "legal_form": "ano",
        "ogrn": ogrn,
        "inn": inn,
        "kpp": "183701001",
        "registered_on": "2015-03-12",
        "address": "427620, Удмуртская Республика, г. Глазов, ул. Кирова, 1",
        "city": "Глазов",
        "activity_areas": ["children_family", "culture"],
        "okved": ["94.99"],
        "public_email": "info@elochka-glazov.ru",
        "website": "https://elochka-glazov.ru",
        **overrides,
    }


@pytest.fixture
async def registry(sandbox) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(RegistrySettings(**sandbox.settings("registry")))
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        client.client_db = lambda: app.state.runtime.db  # type: ignore[attr-defined]
        yield client


async def create_org(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/organizations", json=org_payload(**overrides), headers=STAFF
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(amqp_url: str, *data: Any) -> list[Any]:
    """Publish integration events to the real bus, as the events service would; returns
    their envelopes (to publish one again, pass an envelope instead of event data)."""
    return await publish_events(amqp_url, *data)


async def caught_up(
    client: httpx.AsyncClient,
    spy: EventSpy,
    marker: Callable[[], Awaitable[Any]],
    seen: Callable[[dict[str, Any]], bool],
) -> None:
    """Prove that every event written so far has reached the spy, before a test asserts
    that nothing more was published: wait until no document holds an event in its outbox
    (the relay published each, with confirms), then make a ``marker`` change and wait
    until the spy has its event (``seen``): whatever was published before the marker's
    write is in the spy's queue before it."""
    db = client.client_db()  # type: ignore[attr-defined]

    async def drained() -> bool:
        for name in OUTBOX_COLLECTIONS:
            if await db[name].find_one(PENDING_FILTER, {"_id": 1}) is not None:
                return False
        return True

    await wait_until(drained)
    await marker()
    await spy.wait_for(lambda events: any(seen(e) for e in events))


async def describe(client: httpx.AsyncClient, organization_id: str, text: str) -> None:
    """A staff edit of the description: a marker change that publishes ``updated``."""
    response = await client.patch(
        f"/api/v1/organizations/{organization_id}", json={"description": text}, headers=STAFF
    )
    assert response.status_code == 200 and response.json()["changed"] == ["description"]


def described(text: str) -> Callable[[dict[str, Any]], bool]:
    """Whether an event is the ``updated`` of the marker ``describe(…, text)``."""
    return lambda e: (
        e["type"] == "registry.organization.updated"
        and e["data"]["organization"].get("description") == text
    )
