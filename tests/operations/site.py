"""Apps served on real loopback ports in the test's own process (Caddy needs TCP), and
the four services' route tables, read from their apps."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.support.processes import free_port

OPERATIONS = re.compile(r"^/(health/|metrics$|openapi\.json$|asyncapi\.json$|docs|redoc)")


@contextlib.asynccontextmanager
async def serving(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app (its lifespan too: a service's runtime starts) on a free port."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="auto"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def echo(name: str) -> Any:
    """A stand-in upstream that answers ``<name> <method> <path>`` to everything."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = f"{name} {scope['method']} {scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


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
