"""Wires the events service: settings → runtime (database, bus, consumers, background
job) → FastAPI app with the API and the pages."""

from __future__ import annotations

from fastapi import FastAPI

import nkohub_events
from nkohub_contracts import IntegrationEvent
from nkohub_contracts import events as contracts
from nkohub_events import api, pages
from nkohub_events.consumers import CONSUMERS
from nkohub_events.context import EventsContext
from nkohub_events.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_events.settings import EventsSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, BodyLimit

PRODUCES = [
    cls
    for cls in vars(contracts).values()
    if isinstance(cls, type) and issubclass(cls, IntegrationEvent) and "type" in cls.__dict__
]


async def reconcile_registrations(ctx: EventsContext) -> None:
    await ctx.registrations.keep_reconciled(ctx.runtime.settings.reconcile_seconds)


def build_runtime(settings: EventsSettings) -> ServiceRuntime[EventsSettings, EventsContext]:
    return ServiceRuntime(
        settings,
        context_factory=EventsContext.of,
        produces=PRODUCES,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[reconcile_registrations],
        public_caches=settings.cache_policy,
    )


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or EventsSettings.load())
    # The sign-in sheet's own limit is enforced while it is read (413 naming the file);
    # the door lets it through up to that limit and the multipart envelope around it.
    sheet = BodyLimit(
        "/api/v1/meetups/[^/]+/attendance/import",
        runtime.settings.sheet_max_bytes + MULTIPART_ENVELOPE_BYTES,
        field="file",
    )
    return create_service_app(
        runtime,
        routers=[pages.front_router, api.router, pages.router],
        description=nkohub_events.__doc__ or "",
        body_limits=[sheet],
    )
