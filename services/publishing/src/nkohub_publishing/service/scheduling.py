"""The background job: scheduled publishing, deadline reminders, view reports, and the
removal of uploads a killed process left half-written.

Each step is a conditional single-document write carrying its event, so running it in
several processes, or again after a crash or restart, publishes a post, sends a reminder
or reports a period exactly once. Times missed while the service was down are caught up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain.clock import now_utc

log = logging.getLogger("nkohub.publishing.jobs")
ABANDONED_UPLOAD = timedelta(hours=6)  # no upload of 30 MB takes that long


async def run_once(ctx: PublishingContext) -> dict[str, int]:
    """One pass: what was due is done; returns how many of each."""
    now = now_utc()
    settings = ctx.runtime.settings
    published = await ctx.posts.publish_due(now)
    reminders = await ctx.competitions.send_due_reminders(
        now, settings.deadline_reminder_days, settings.base_url
    )
    periods = await ctx.views.report_closed(now, settings.view_report_grace_seconds)
    abandoned = await ctx.files.remove_abandoned(now - ABANDONED_UPLOAD)
    done = {
        "published": len(published),
        "reminders": len(reminders),
        "periods": len(periods),
        "abandoned_uploads": len(abandoned),
    }
    if any(done.values()):
        log.info("scheduled work done", extra=done)
    return done


async def scheduler(ctx: PublishingContext) -> None:
    """Every ``scheduler_seconds``: publish due posts, remind of deadlines, report views."""
    while True:
        try:
            await run_once(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler pass failed; will retry")
        await asyncio.sleep(ctx.runtime.settings.scheduler_seconds)
