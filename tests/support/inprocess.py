"""A service's app in the test's own process: real runtime, HTTP through httpx
(``running``), or served on a real loopback port for a browser or a proxy (``serving``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import uvicorn
from fastapi import FastAPI

from nkohub_shared.tokens import Role, issue_token
from tests.support.broker import wait_until
from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY
from tests.support.processes import free_port

SERVING_START_SECONDS = 60


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's runtime (database, broker, consumers, relay) and give a client."""
    runtime = app.state.runtime
    await runtime.start()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await runtime.stop()


@contextlib.asynccontextmanager
async def running_replicas(
    create_app: Any, settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two replicas of a service (two apps on the same settings, so the same database and
    vhost), each once it hears the cache notes of its service; each client's ``app`` is
    its replica's."""
    a, b = create_app(settings), create_app(settings)
    async with running(a) as replica_a, running(b) as replica_b:
        replica_a.app, replica_b.app = a, b  # type: ignore[attr-defined]
        await wait_until(lambda: a.state.runtime.writes.listening)
        await wait_until(lambda: b.state.runtime.writes.listening)
        yield replica_a, replica_b


@contextlib.asynccontextmanager
async def serving(
    app: Any, port: int | None = None, *, lifespan: Literal["auto", "off"] = "auto"
) -> AsyncIterator[str]:
    """Serve an ASGI app on a loopback port (a free one unless ``port``) and give its base
    URL; with the lifespan (``"auto"``) a service's runtime starts and stops with it."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan=lifespan
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(SERVING_START_SECONDS):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def staff_headers(role: Role | str = Role.STAFF, sub: str = "librarian") -> dict[str, str]:
    from datetime import timedelta

    token = issue_token(STAFF_TOKEN_PRIVATE_KEY, sub=sub, role=role, ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}
