"""Wires the notifications service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

import nkohub_notifications
from nkohub_notifications import api
from nkohub_notifications.consumers import CONSUMERS
from nkohub_notifications.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app


@dataclass
class NotificationsContext:
    """What handlers and routes of this service need."""

    runtime: ServiceRuntime[NotificationsContext]


def build_runtime(settings: NotificationsSettings) -> ServiceRuntime[NotificationsContext]:
    return ServiceRuntime(
        settings,
        context_factory=NotificationsContext,
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or NotificationsSettings.load())
    return create_service_app(
        runtime, routers=[api.router], description=nkohub_notifications.__doc__ or ""
    )
