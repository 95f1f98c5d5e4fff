"""Wires the notifications service: settings → runtime (database, bus, consumers) → FastAPI app."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fastapi import FastAPI

import nkohub_notifications
from nkohub_notifications import api, digest, pages, reminders
from nkohub_notifications.consumers import CONSUMERS
from nkohub_notifications.notify import Notifier
from nkohub_notifications.rendering import Renderer
from nkohub_notifications.repository import INDEXES, OUTBOX_COLLECTIONS, Db
from nkohub_notifications.sender import Sender
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.contracts.notifications import MessageFailed, MessageSent
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app

log = logging.getLogger("nkohub.notifications")


@dataclass
class NotificationsContext:
    """What handlers, routes and background jobs of this service need."""

    runtime: ServiceRuntime[NotificationsSettings, NotificationsContext]
    renderer: Renderer = field(default_factory=Renderer)
    sender: Sender = field(init=False)
    notifier: Notifier = field(init=False)

    def __post_init__(self) -> None:
        self.sender = Sender(self.db, self.settings, self.runtime.relay)
        self.notifier = Notifier(self.db, self.settings, self.renderer, self.sender.wake)

    @property
    def db(self) -> Db:
        return self.runtime.db

    @property
    def settings(self) -> NotificationsSettings:
        return self.runtime.settings  # type: ignore[return-value]


async def send_messages(ctx: NotificationsContext) -> None:
    """Background job: deliver queued messages."""
    await ctx.sender.run()


async def run_schedules(ctx: NotificationsContext) -> None:
    """Background job: due reminders and the daily digest."""
    while True:
        for job in (reminders.send_due, digest.run_latest):
            try:
                await job(ctx)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduled job %s failed", job.__name__)
        await asyncio.sleep(ctx.settings.scheduler_poll_seconds)


def build_runtime(
    settings: NotificationsSettings,
) -> ServiceRuntime[NotificationsSettings, NotificationsContext]:
    return ServiceRuntime(
        settings,
        context_factory=NotificationsContext,
        produces=[MessageSent, MessageFailed],
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[send_messages, run_schedules],
    )


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or NotificationsSettings.load())
    return create_service_app(
        runtime,
        routers=[api.router, api.staff, pages.router],
        description=nkohub_notifications.__doc__ or "",
    )
