"""Wires the publishing service: settings → runtime (database, bus, consumers, background
job) → FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

import nkohub_publishing
from nkohub_contracts.publishing import (
    FileDeleted,
    FileUploaded,
    GrantDeadlineApproaching,
    PostPublished,
    PostUnpublished,
    ViewsCounted,
)
from nkohub_publishing import api, pages
from nkohub_publishing.api.deps import REQUEST_MAX_BYTES
from nkohub_publishing.consumers import CONSUMERS
from nkohub_publishing.context import PublishingContext
from nkohub_publishing.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_publishing.service.scheduling import scheduler
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, BodyLimit

PRODUCES = [
    PostPublished,
    PostUnpublished,
    ViewsCounted,
    GrantDeadlineApproaching,
    FileUploaded,
    FileDeleted,
]


def build_runtime(
    settings: PublishingSettings,
) -> ServiceRuntime[PublishingSettings, PublishingContext]:
    return ServiceRuntime(
        settings,
        context_factory=PublishingContext.of,
        produces=PRODUCES,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[scheduler],
        public_caches=settings.cache_policy,
    )


def create_app(settings: PublishingSettings | None = None) -> FastAPI:
    settings = settings or PublishingSettings.load()
    largest_file = max(settings.file_image_max_bytes, settings.file_pdf_max_bytes)
    return create_service_app(
        build_runtime(settings),
        routers=[pages.front_router, api.router, pages.files_router, pages.router],
        description=nkohub_publishing.__doc__ or "",
        body_limits=[
            BodyLimit("/api/v1/imports/(blogger|views)", REQUEST_MAX_BYTES, field="file"),
            BodyLimit("/api/v1/files", largest_file + MULTIPART_ENVELOPE_BYTES, field="file"),
        ],
    )
