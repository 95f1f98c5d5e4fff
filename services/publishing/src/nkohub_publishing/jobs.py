"""Background jobs: scheduled publishing, deadline reminders and view reports.

Each step is a conditional single-document write, so running it in several processes,
or again after a crash or restart, publishes a post, sends a reminder or reports a
period exactly once. Times missed while the service was down are caught up on start.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from nkohub_publishing.repository import now_utc

if TYPE_CHECKING:
    from nkohub_publishing.app import PublishingContext

log = logging.getLogger("nkohub.publishing.jobs")


async def run_once(ctx: PublishingContext) -> dict[str, int]:
    now = now_utc()
    settings = ctx.settings
    published = await ctx.posts.publish_due(now)
    reminders = await ctx.competitions.send_due_reminders(
        now, settings.deadline_reminder_days, settings.base_url
    )
    periods = await ctx.views.report_closed(now, settings.view_report_grace_seconds)
    if published or reminders or periods:
        ctx.runtime.relay.kick()
        log.info(
            "scheduled work done",
            extra={
                "published": len(published),
                "reminders": len(reminders),
                "periods": len(periods),
            },
        )
    return {"published": len(published), "reminders": len(reminders), "periods": len(periods)}


async def scheduler(ctx: PublishingContext) -> None:
    """Every ``scheduler_seconds``: publish due posts, remind of deadlines, report views."""
    while True:
        try:
            await run_once(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler pass failed; will retry")
        await asyncio.sleep(ctx.settings.scheduler_seconds)
