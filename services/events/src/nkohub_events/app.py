"""Wires the events service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

import nkohub_events
from nkohub_events import api
from nkohub_events.consumers import CONSUMERS
from nkohub_events.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_events.settings import EventsSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app


@dataclass
class EventsContext:
    """What handlers and routes of this service need."""

    runtime: ServiceRuntime[EventsContext]


def build_runtime(settings: EventsSettings) -> ServiceRuntime[EventsContext]:
    return ServiceRuntime(
        settings,
        context_factory=EventsContext,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
    )


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or EventsSettings.load())
    return create_service_app(
        runtime, routers=[api.router], description=nkohub_events.__doc__ or ""
    )
