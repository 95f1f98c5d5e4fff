"""Wires the notifications service: settings → runtime (database, bus, consumers,
background jobs) → FastAPI app."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

import nkohub_notifications
from nkohub_contracts.notifications import (
    MailingScheduled,
    MailingSent,
    MessageFailed,
    MessageSent,
)
from nkohub_notifications import api, pages
from nkohub_notifications.consumers import CONSUMERS
from nkohub_notifications.context import NotificationsContext
from nkohub_notifications.domain.messages import MessageFilter
from nkohub_notifications.repository import INDEXES, OUTBOX_COLLECTIONS
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.web.app import create_service_app

log = logging.getLogger("nkohub.notifications")


async def send_messages(ctx: NotificationsContext) -> None:
    """Background job: deliver queued messages."""
    await ctx.sender.run()


async def run_schedules(ctx: NotificationsContext) -> None:
    """Background job: due reminders (registrants', specialists', speakers'), the daily digest and
    mailings whose time came, every ``scheduler_poll_seconds``."""
    jobs = {
        "reminders": ctx.reminders.send_due,
        "specialist_reminders": ctx.specialists.send_due,
        "speaker_reminders": ctx.speakers.send_due,
        "digest": ctx.digests.run_latest,
        "mailings": ctx.mailings.run_due,
        "attachment_copies": ctx.attachments.delete_expired,
    }
    while True:
        for name, job in jobs.items():
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduled job %s failed", name)
        await asyncio.sleep(ctx.settings.scheduler_poll_seconds)


async def refresh_templates(ctx: NotificationsContext) -> None:
    """Background job: staff's template overrides, reloaded when their versions change."""
    await ctx.templates.keep_fresh(ctx.settings.template_refresh_seconds)


def build_runtime(
    settings: NotificationsSettings,
) -> ServiceRuntime[NotificationsSettings, NotificationsContext]:
    runtime = ServiceRuntime(
        settings,
        context_factory=NotificationsContext.of,
        produces=[MessageSent, MessageFailed, MailingScheduled, MailingSent],
        consumers=CONSUMERS,
        indexes=INDEXES,
        outbox_collections=OUTBOX_COLLECTIONS,
        background=[send_messages, run_schedules, refresh_templates],
    )
    messages = runtime.context.repositories.messages
    runtime.metrics.gauge_read_at_scrape(
        "nkohub_notification_messages",
        "Messages in the delivery log, by status (queued, sending, sent, failed, ...)",
        "status",
        lambda: messages.counts_by_status(MessageFilter()),
    )
    return runtime


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    runtime = build_runtime(settings or NotificationsSettings.load())
    return create_service_app(
        runtime,
        routers=[api.router, pages.router],
        description=nkohub_notifications.__doc__ or "",
    )
