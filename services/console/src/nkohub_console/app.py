"""Wires the console: settings → runtime (its database; no consumers, no outbox) → the
FastAPI app with its pages, static files and small API, all under ``/console`` (the
operations endpoints stay where the shared app puts them)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

import nkohub_console
from nkohub_console import api, pages
from nkohub_console.consumers import CONSUMERS
from nkohub_console.context import ConsoleContext
from nkohub_console.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_console.settings import ConsoleSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app

STATIC = Path(__file__).parent / "static"
PURGE_SECONDS = 600.0


async def housekeeping(ctx: ConsoleContext) -> None:
    """Delete ended sessions and old failed-login counts now and then; close the pool to
    the services when the process stops."""
    try:
        while True:
            await ctx.sessions.purge()
            await asyncio.sleep(PURGE_SECONDS)
    finally:
        await ctx.http.aclose()


def build_runtime(settings: ConsoleSettings) -> ServiceRuntime[ConsoleSettings, ConsoleContext]:
    return ServiceRuntime(
        settings,
        context_factory=ConsoleContext.of,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[housekeeping],
    )


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    console_api = APIRouter(prefix=ConsoleSettings.site_path)
    console_api.include_router(api.router)  # /console/api/v1/…: the session cookie reaches it
    app = create_service_app(
        build_runtime(settings or ConsoleSettings.load()),
        routers=[console_api, pages.router, pages.entrances],
        description=nkohub_console.__doc__ or "",
        body_limits=pages.BODY_LIMITS,
    )
    app.mount(ConsoleSettings.site_path + "/static", StaticFiles(directory=STATIC), name="static")
    pages.install(app)
    return app
