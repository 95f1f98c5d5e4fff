"""Wires the events service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fastapi import FastAPI

import nkohub_events
from nkohub_events import api, pages
from nkohub_events.consumers import CONSUMERS
from nkohub_events.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_events.repository.consultations import ConsultationStore
from nkohub_events.repository.erasure import erase_people
from nkohub_events.repository.meetups import MeetupStore
from nkohub_events.repository.questions import QuestionStore
from nkohub_events.repository.readmodels import Organizations
from nkohub_events.repository.registrations import RegistrationStore
from nkohub_events.settings import EventsSettings
from nkohub_shared.contracts import IntegrationEvent
from nkohub_shared.contracts import events as contracts
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app

log = logging.getLogger("nkohub.events")

PRODUCES = [
    cls
    for cls in vars(contracts).values()
    if isinstance(cls, type) and issubclass(cls, IntegrationEvent) and "type" in cls.__dict__
]


@dataclass
class EventsContext:
    """What handlers and routes of this service need."""

    runtime: ServiceRuntime[EventsSettings, EventsContext]
    meetups: MeetupStore = field(init=False)
    registrations: RegistrationStore = field(init=False)
    organizations: Organizations = field(init=False)
    consultations: ConsultationStore = field(init=False)
    questions: QuestionStore = field(init=False)

    def __post_init__(self) -> None:
        settings: EventsSettings = self.runtime.settings  # type: ignore[assignment]
        common = dict(
            db=self.runtime.db,
            kick=self.runtime.relay.kick,
            public_base_url=str(settings.public_base_url),
            secret=settings.jwt_secret.get_secret_value(),
        )
        self.meetups = MeetupStore(**common)
        self.registrations = RegistrationStore(**common)
        self.registrations.consent_version = settings.consent_text_version
        self.organizations = Organizations(**common)
        self.consultations = ConsultationStore(**common)
        self.questions = QuestionStore(**common)
        self.consultations.default_limit = settings.consultations_per_organization

    async def erase_people(self, person_keys: list[str]) -> None:
        await erase_people(self.runtime.db, person_keys)


async def reconcile_registrations(ctx: EventsContext) -> None:
    """Repairs what a crash between two writes of a registration left (not the normal path:
    promotions happen in the request that frees the seat)."""
    while True:
        await asyncio.sleep(ctx.runtime.settings.reconcile_seconds)
        repaired = await ctx.registrations.reconcile()
        if repaired:
            log.info("reconciled %d registrations", repaired)


def build_runtime(settings: EventsSettings) -> ServiceRuntime[EventsSettings, EventsContext]:
    return ServiceRuntime(
        settings,
        context_factory=EventsContext,
        produces=PRODUCES,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[reconcile_registrations],
    )


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or EventsSettings.load())
    app = create_service_app(
        runtime, routers=[*api.routers, pages.router], description=nkohub_events.__doc__ or ""
    )
    return app
