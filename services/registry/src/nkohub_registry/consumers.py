"""Bus handlers of the registry service, named after the event they handle.

``registry.history`` keeps the history read model (collection ``history``, one document
per organization id) from the events service's events. Every write goes through
``apply_once``, so a handler re-run after a crash changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nkohub_shared.bus import EventConsumer
from nkohub_shared.contracts.common import MeetupSnapshot
from nkohub_shared.contracts.envelope import CloudEvent
from nkohub_shared.contracts.events import (
    AttendanceRecorded,
    ConsultationCompleted,
    MeetupCancelled,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_shared.storage.idempotent import apply_once

if TYPE_CHECKING:
    from nkohub_registry.app import RegistryContext

history = EventConsumer["RegistryContext"](
    "registry",
    "history",
    "History of each organization with us: meetups, people, presentations, consultations.",
)


def _key(value: str) -> str:
    """A map key safe for MongoDB field paths."""
    return value.replace(".", "_").replace("$", "_")


@history.on(AttendanceRecorded)
async def attendance_recorded(
    ctx: RegistryContext, event: AttendanceRecorded, envelope: CloudEvent
) -> None:
    if not event.organization_id:
        return
    await apply_once(
        ctx.db.history,
        {"_id": event.organization_id},
        {
            "$set": {
                f"meetups.{_key(event.meetup_id)}": {
                    "title": event.meetup_title,
                    "starts_at": event.meetup_starts_at,
                },
                "came": True,
            },
            "$addToSet": {"person_keys": event.person_key},
            "$max": {"last_attended_at": event.checked_in_at},
        },
        envelope.id,
        upsert=True,
    )


async def _program(ctx: RegistryContext, meetup: MeetupSnapshot, envelope: CloudEvent) -> None:
    """Organizations in the program present at this meetup; those dropped from it don't."""
    field = f"presentations.{_key(meetup.meetup_id)}"
    presenting: dict[str, list[str]] = {}
    for item in meetup.program:
        if item.organization_id:
            presenting.setdefault(item.organization_id, []).append(item.title)
    happened = meetup.starts_at <= datetime.now(UTC)
    for organization_id, titles in presenting.items():
        update: dict[str, Any] = {
            "$set": {
                field: {
                    "meetup_title": meetup.title,
                    "titles": titles,
                    "starts_at": meetup.starts_at,
                }
            }
        }
        if happened:
            update["$set"]["came"] = True
        await apply_once(ctx.db.history, {"_id": organization_id}, update, envelope.id, upsert=True)
    await _drop_presentations(ctx, meetup.meetup_id, envelope, keep=set(presenting))


async def _drop_presentations(
    ctx: RegistryContext, meetup_id: str, envelope: CloudEvent, keep: set[str]
) -> None:
    field = f"presentations.{_key(meetup_id)}"
    async for doc in ctx.db.history.find({field: {"$exists": True}}, {"_id": 1}):
        if doc["_id"] not in keep:
            await apply_once(
                ctx.db.history, {"_id": doc["_id"]}, {"$unset": {field: ""}}, envelope.id
            )


@history.on(MeetupScheduled)
async def meetup_scheduled(
    ctx: RegistryContext, event: MeetupScheduled, envelope: CloudEvent
) -> None:
    await _program(ctx, event.meetup, envelope)


@history.on(MeetupUpdated)
async def meetup_updated(ctx: RegistryContext, event: MeetupUpdated, envelope: CloudEvent) -> None:
    await _program(ctx, event.meetup, envelope)


@history.on(MeetupCancelled)
async def meetup_cancelled(
    ctx: RegistryContext, event: MeetupCancelled, envelope: CloudEvent
) -> None:
    await _drop_presentations(ctx, event.meetup.meetup_id, envelope, keep=set())


@history.on(ConsultationCompleted)
async def consultation_completed(
    ctx: RegistryContext, event: ConsultationCompleted, envelope: CloudEvent
) -> None:
    if not event.organization_id:
        return
    await apply_once(
        ctx.db.history,
        {"_id": event.organization_id},
        {
            "$set": {
                f"consultations.{_key(event.consultation_id)}": {
                    "specialty": event.specialist.specialty,
                    "specialist_name": event.specialist.name,
                    "given_on": event.given_on.isoformat(),
                },
                "came": True,
            }
        },
        envelope.id,
        upsert=True,
    )


CONSUMERS: list[EventConsumer[Any]] = [history]
