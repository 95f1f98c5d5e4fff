"""Wires the registry service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

import logging

from fastapi import FastAPI

import nkohub_registry
from nkohub_contracts.registry import (
    ErasureRequested,
    OrganizationDeactivated,
    OrganizationRegistered,
    OrganizationUpdated,
    PersonErased,
    ProposalSubmitted,
)
from nkohub_registry import api, pages
from nkohub_registry.api.imports import MAX_BODY_BYTES
from nkohub_registry.consumers import CONSUMERS
from nkohub_registry.context import RegistryContext
from nkohub_registry.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app
from nkohub_shared.web.hardening import BodyLimit

log = logging.getLogger(__name__)

PRODUCES = [
    OrganizationRegistered,
    OrganizationUpdated,
    OrganizationDeactivated,
    PersonErased,
    ErasureRequested,
    ProposalSubmitted,
]


async def adopt_unapproved_self_registrations(ctx: RegistryContext) -> None:
    """Once at start: older versions' unapproved self-registrations become proposals."""
    moved = await ctx.proposals.adopt_unapproved()
    if moved:
        log.info("%d self-registrations of older versions moved to proposals", moved)


def build_runtime(settings: RegistrySettings) -> ServiceRuntime[RegistrySettings, RegistryContext]:
    return ServiceRuntime(
        settings,
        context_factory=RegistryContext.of,
        produces=PRODUCES,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[adopt_unapproved_self_registrations],
        public_caches=settings.cache_policy,
    )


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or RegistrySettings.load())
    return create_service_app(
        runtime,
        routers=[api.router, pages.router],
        description=nkohub_registry.__doc__ or "",
        body_limits=[BodyLimit("/api/v1/organizations/import", MAX_BODY_BYTES, field="file")],
    )
