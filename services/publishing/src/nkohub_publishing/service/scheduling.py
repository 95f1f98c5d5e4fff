"""The background job: scheduled publishing, deadline reminders and view reports.

Each step is a conditional single-document write carrying its event, so running it in
several processes, or again after a crash or restart, publishes a post, sends a reminder
or reports a period exactly once. Times missed while the service was down are caught up.
"""

from __future__ import annotations

import asyncio
import logging

from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain.clock import now_utc

log = logging.getLogger("nkohub.publishing.jobs")


async def run_once(ctx: PublishingContext) -> dict[str, int]:
    """One pass: what was due is done; returns how many of each."""
    now = now_utc()
    settings = ctx.runtime.settings
    published = await ctx.posts.publish_due(now)
    reminders = await ctx.competitions.send_due_reminders(
        now, settings.deadline_reminder_days, settings.base_url
    )
    periods = await ctx.views.report_closed(now, settings.view_report_grace_seconds)
    done = {"published": len(published), "reminders": len(reminders), "periods": len(periods)}
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
