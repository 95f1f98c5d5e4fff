"""Wires the publishing service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI

import nkohub_publishing
from nkohub_publishing import api, pages, repository
from nkohub_publishing.consumers import CONSUMERS
from nkohub_publishing.jobs import scheduler
from nkohub_publishing.repository import (
    INDEXES,
    OUTBOX_COLLECTIONS,
    Catalogue,
    Competitions,
    Posts,
    StaffSettings,
    Views,
)
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.contracts.publishing import (
    GrantDeadlineApproaching,
    PostPublished,
    PostUnpublished,
    ViewsCounted,
)
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app


@dataclass
class PublishingContext:
    """What handlers and routes of this service need."""

    runtime: ServiceRuntime[PublishingSettings, PublishingContext]
    settings: PublishingSettings = field(init=False)
    posts: Posts = field(init=False)
    competitions: Competitions = field(init=False)
    foundations: Catalogue = field(init=False)
    documents: Catalogue = field(init=False)
    views: Views = field(init=False)
    staff_settings: StaffSettings = field(init=False)

    def __post_init__(self) -> None:
        settings = self.runtime.settings
        assert isinstance(settings, PublishingSettings)
        db = self.runtime.db
        self.settings = settings
        self.posts = Posts(db, settings.base_url)
        self.competitions = Competitions(db)
        self.foundations = repository.foundations(db)
        self.documents = repository.documents(db)
        self.staff_settings = StaffSettings(
            db, {"publish_meetup_announcements": settings.publish_meetup_announcements}
        )
        self.views = Views(db, settings.jwt_secret.get_secret_value(), settings.view_bucket_seconds)


PRODUCES = [PostPublished, PostUnpublished, ViewsCounted, GrantDeadlineApproaching]


def build_runtime(
    settings: PublishingSettings,
) -> ServiceRuntime[PublishingSettings, PublishingContext]:
    return ServiceRuntime(
        settings,
        context_factory=PublishingContext,
        produces=PRODUCES,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[scheduler],
    )


def create_app(settings: PublishingSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or PublishingSettings.load())
    app = create_service_app(
        runtime, routers=[api.router, pages.router], description=nkohub_publishing.__doc__ or ""
    )
    return app
