"""Reminders: documents scheduled at ``start − offset`` for each confirmed registration.

They live in MongoDB, so a restart neither loses nor repeats them: the scheduler queues
a reminder's message under a unique key (``reminder:<id>:<start>``) and only then marks
the reminder sent; a crash in between re-queues the same key, which inserts nothing.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from nkohub_notifications.domain import now, reminder_id, reminder_times
from nkohub_notifications.notify import Recipient
from nkohub_notifications.readmodel import CONFIRMED, meetup_of
from nkohub_notifications.rendering import before_words
from nkohub_notifications.repository import REGISTRATIONS, REMINDERS
from nkohub_shared.contracts.common import MeetupSnapshot, Participant

if TYPE_CHECKING:
    from nkohub_notifications.app import NotificationsContext

PENDING = "pending"
SENT = "sent"
CANCELLED = "cancelled"
SKIPPED = "skipped"  # its time passed while it could not be sent (meetup moved closer)


async def schedule(
    ctx: NotificationsContext, registration_id: str, meetup: MeetupSnapshot, p: Participant
) -> None:
    offsets = ctx.settings.reminder_offsets
    for offset_seconds, due in reminder_times(meetup.starts_at, offsets, now()):
        doc = {
            "registration_id": registration_id,
            "meetup_id": meetup.meetup_id,
            "person_key": p.person_key,
            "offset_seconds": offset_seconds,
            "due_at": due,
            "starts_at": meetup.starts_at,
            "status": PENDING,
            "created_at": now(),
        }
        with contextlib.suppress(DuplicateKeyError):
            await ctx.db[REMINDERS].update_one(
                {"_id": reminder_id(registration_id, offset_seconds)},
                {"$setOnInsert": doc},
                upsert=True,
            )


async def cancel(ctx: NotificationsContext, filter: dict[str, Any], reason: str) -> None:
    """No reminder for these any more (registration or meetup cancelled)."""
    await ctx.db[REMINDERS].update_many(
        {**filter, "status": PENDING}, {"$set": {"status": CANCELLED, "reason": reason}}
    )
    await ctx.notifier.suppress({**filter, "template": "reminder"}, reason)


async def reschedule(ctx: NotificationsContext, meetup: MeetupSnapshot) -> None:
    """The meetup moved: pending reminders (and sent ones, for the new time) follow it."""
    at = now()
    cursor = ctx.db[REMINDERS].find(
        {"meetup_id": meetup.meetup_id, "status": {"$in": [PENDING, SENT, SKIPPED]}}
    )
    moved = False
    async for reminder in cursor:
        if _ms(reminder["starts_at"]) == _ms(meetup.starts_at):
            continue
        moved = True
        due = meetup.starts_at - timedelta(seconds=reminder["offset_seconds"])
        status = PENDING if due > at else SKIPPED
        if reminder["status"] != PENDING and status == SKIPPED:
            status = reminder["status"]
        await ctx.db[REMINDERS].update_one(
            {"_id": reminder["_id"]},
            {"$set": {"due_at": due, "starts_at": meetup.starts_at, "status": status}},
        )
    if moved:  # a reminder queued for the old time must not go out
        await ctx.notifier.suppress(
            {"meetup_id": meetup.meetup_id, "template": "reminder"}, "meetup moved"
        )


def _ms(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: compare at that precision."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def send_due(ctx: NotificationsContext, *, limit: int = 500) -> int:
    """Queue the message of every due pending reminder; returns how many were handled."""
    at = now()
    cursor = (
        ctx.db[REMINDERS]
        .find({"status": PENDING, "due_at": {"$lte": at}})
        .sort("due_at", 1)
        .limit(limit)
    )
    handled = 0
    async for reminder in cursor:
        status = await _send_one(ctx, reminder, at)
        await ctx.db[REMINDERS].update_one(
            {"_id": reminder["_id"], "status": PENDING, "due_at": reminder["due_at"]},
            {"$set": {"status": status, "done_at": now()}},
        )
        handled += 1
    return handled


async def _send_one(ctx: NotificationsContext, reminder: dict[str, Any], at: datetime) -> str:
    registration = await ctx.db[REGISTRATIONS].find_one({"_id": reminder["registration_id"]})
    known = await meetup_of(ctx.db, reminder["meetup_id"])
    if registration is None or registration["status"] != CONFIRMED or known is None:
        return CANCELLED
    meetup, meetup_status = known
    if meetup_status == "cancelled":
        return CANCELLED
    if at >= meetup.starts_at:
        return SKIPPED
    starts = reminder["starts_at"]
    message = ctx.notifier.email(
        cause=f"reminder:{reminder['_id']}:{starts.isoformat()}",
        recipient=Recipient(
            registration["person_key"], registration["name"], registration["email"]
        ),
        template="reminder",
        context={
            "meetup": meetup.model_dump(),
            "before": before_words(timedelta(seconds=reminder["offset_seconds"])),
            "cancel_url": ctx.notifier.links.registration_cancel(registration["_id"]),
        },
        meetup_id=meetup.meetup_id,
        registration_id=registration["_id"],
    )
    await ctx.notifier.queue([message])
    return SENT
