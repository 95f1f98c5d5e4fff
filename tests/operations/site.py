"""Stand-in upstreams for the site's proxy (Caddy needs TCP), the site in front of them,
and the four services' route tables, read from their apps."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.support.inprocess import serving
from tests.support.processes import SiteProxy

OPERATIONS = re.compile(r"^/(health/|metrics$|openapi\.json$|asyncapi\.json$|docs|redoc)")


def echo(name: str) -> Any:
    """A stand-in upstream that answers ``<name> <method> <path>`` to everything."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = f"{name} {scope['method']} {scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


SERVICES = ("registry", "events", "notifications", "publishing", "console")


@contextlib.asynccontextmanager
async def echoing_site(
    tmp_path: Path, *, env: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The site (Caddy with the platform's Caddyfile and ``env``) in front of an ``echo``
    of every service, and a client of it."""
    async with contextlib.AsyncExitStack() as stack:
        upstreams = {}
        for name in SERVICES:
            url = await stack.enter_async_context(serving(echo(name)))
            upstreams[name] = [url.removeprefix("http://")]
        proxy = SiteProxy(upstreams, log_path=tmp_path / "caddy.log", state=tmp_path / "caddy")
        proxy.env.update(env or {})
        proxy.start()
        try:
            async with httpx.AsyncClient(base_url=proxy.url, timeout=10) as client:
                yield client
        finally:
            proxy.stop()


def sample_path(template: str) -> str:
    """A concrete path a route template matches: ``/meetups/{meetup_id}`` → ``/meetups/x1``."""
    return re.sub(r"\{[^}]+\}", "x1", template)


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """``(method, path template)`` of every route a service answers, operations left out."""
    found = []
    for path, route in _walk(app.routes, ""):
        if not OPERATIONS.match(path):
            found.extend((m, path) for m in sorted(route.methods or ()) if m != "HEAD")
    return found


def _walk(candidates: list[Any], prefix: str) -> list[tuple[str, APIRoute]]:
    """Routes with their full paths. FastAPI 0.16x keeps an included router as one entry
    (its ``original_router`` and the prefix it was included with); older ones flatten."""
    found: list[tuple[str, APIRoute]] = []
    for route in candidates:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            inner = prefix + getattr(route.include_context, "prefix", "")
            found.extend(_walk(route.original_router.routes, inner))
    return found
