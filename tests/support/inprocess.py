"""A service's app in the test's own process: real runtime, HTTP through httpx."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from nkohub_shared.web.auth import Role, issue_token
from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY


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


def staff_headers(role: Role | str = Role.STAFF, sub: str = "librarian") -> dict[str, str]:
    from datetime import timedelta

    token = issue_token(STAFF_TOKEN_PRIVATE_KEY, sub=sub, role=role, ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}
