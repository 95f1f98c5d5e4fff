"""Fixtures of the publishing suite: the service's real runtime in the test's process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest

from nkohub_publishing.app import create_app
from nkohub_publishing.settings import PublishingSettings
from tests.support.inprocess import running, staff_headers

BASE_URL = "https://proekt-plus.example"


@pytest.fixture
def publishing_settings(sandbox) -> Callable[..., PublishingSettings]:
    def make(**overrides: Any) -> PublishingSettings:
        values: dict[str, Any] = {
            "public_base_url": BASE_URL,
            "scheduler_seconds": 0.3,
            "view_report_grace_seconds": 0.2,
            **overrides,
        }
        return PublishingSettings(**sandbox.settings("publishing", **values))

    return make


@pytest.fixture
def service(publishing_settings) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with service(**settings) as client``: the running service."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return running(create_app(publishing_settings(**overrides)))

    return start


@pytest.fixture
async def client(service) -> AsyncIterator[httpx.AsyncClient]:
    async with service() as c:
        c.headers.update(staff_headers())
        yield c


async def make_post(client: httpx.AsyncClient, publish: bool = True, **fields: Any) -> dict:
    body = {"title": "Запись", "body": "Текст записи.", "category": "ngo-news", **fields}
    response = await client.post("/api/v1/posts", json=body)
    assert response.status_code == 201, response.text
    post = response.json()
    if publish:
        response = await client.post(f"/api/v1/posts/{post['id']}/publish")
        assert response.status_code == 200, response.text
        post = response.json()
    return post
