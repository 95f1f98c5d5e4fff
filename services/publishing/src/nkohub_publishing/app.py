"""Wires the publishing service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

import nkohub_publishing
from nkohub_publishing import api
from nkohub_publishing.consumers import CONSUMERS
from nkohub_publishing.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app


@dataclass
class PublishingContext:
    """What handlers and routes of this service need."""

    runtime: ServiceRuntime[PublishingContext]


def build_runtime(settings: PublishingSettings) -> ServiceRuntime[PublishingContext]:
    return ServiceRuntime(
        settings,
        context_factory=PublishingContext,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
    )


def create_app(settings: PublishingSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or PublishingSettings.load())
    return create_service_app(
        runtime, routers=[api.router], description=nkohub_publishing.__doc__ or ""
    )
