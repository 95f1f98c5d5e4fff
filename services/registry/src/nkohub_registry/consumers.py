"""Bus handlers of the registry service, named after the event they handle: each decodes
its event and hands it to the history use cases (``service.history``).

``registry.history`` keeps the history read model (collection ``history``, one document
per organization id) from the events service's events; every write is applied once per
event, so a handler re-run after a crash changes nothing.
"""

from __future__ import annotations

from nkohub_contracts.envelope import CloudEvent
from nkohub_contracts.events import (
    AttendanceRecorded,
    ConsultationCompleted,
    MeetupCancelled,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_registry.context import RegistryContext
from nkohub_shared.bus import EventConsumer

history = EventConsumer[RegistryContext](
    "registry",
    "history",
    "History of each organization with us: meetups, people, presentations, consultations.",
)


@history.on(AttendanceRecorded)
async def attendance_recorded(
    ctx: RegistryContext, event: AttendanceRecorded, envelope: CloudEvent
) -> None:
    await ctx.history.attendance_recorded(event, envelope.id)


@history.on(MeetupScheduled)
async def meetup_scheduled(
    ctx: RegistryContext, event: MeetupScheduled, envelope: CloudEvent
) -> None:
    await ctx.history.program_changed(event.meetup, envelope.id)


@history.on(MeetupUpdated)
async def meetup_updated(ctx: RegistryContext, event: MeetupUpdated, envelope: CloudEvent) -> None:
    await ctx.history.program_changed(event.meetup, envelope.id)


@history.on(MeetupCancelled)
async def meetup_cancelled(
    ctx: RegistryContext, event: MeetupCancelled, envelope: CloudEvent
) -> None:
    await ctx.history.meetup_cancelled(event.meetup, envelope.id)


@history.on(ConsultationCompleted)
async def consultation_completed(
    ctx: RegistryContext, event: ConsultationCompleted, envelope: CloudEvent
) -> None:
    await ctx.history.consultation_completed(event, envelope.id)


CONSUMERS: list[EventConsumer[RegistryContext]] = [history]
