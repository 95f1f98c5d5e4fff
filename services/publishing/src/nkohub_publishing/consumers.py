"""Bus handlers of the publishing service, named after the event they handle; each only
decodes and hands over to the service layer.

- ``publishing.directory``: the NGO directory («НКО Глазова») from the registry's events;
- ``publishing.meetup-posts``: announcements and report drafts from the events service.
"""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import (
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_publishing.context import PublishingContext
from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.readmodels import follow_organizations

directory = EventConsumer[PublishingContext](
    "publishing", "directory", "Keeps the public NGO directory from the registry's events."
)
meetup_posts = EventConsumer[PublishingContext](
    "publishing", "meetup-posts", "Drafts announcement and report posts of meetups."
)

CONSUMERS: list[EventConsumer[PublishingContext]] = [directory, meetup_posts]


follow_organizations(directory, lambda ctx: ctx.organizations)


@meetup_posts.on(MeetupScheduled)
async def meetup_scheduled(
    ctx: PublishingContext, event: MeetupScheduled, envelope: CloudEvent
) -> None:
    await ctx.meetup_posts.scheduled(event.meetup, envelope.id)


@meetup_posts.on(MeetupUpdated)
async def meetup_updated(
    ctx: PublishingContext, event: MeetupUpdated, envelope: CloudEvent
) -> None:
    await ctx.meetup_posts.updated(event.meetup, envelope.id)


@meetup_posts.on(MeetupCancelled)
async def meetup_cancelled(
    ctx: PublishingContext, event: MeetupCancelled, envelope: CloudEvent
) -> None:
    await ctx.meetup_posts.cancelled(event.meetup, event.reason, envelope.id)


@meetup_posts.on(MeetupCompleted)
async def meetup_completed(
    ctx: PublishingContext, event: MeetupCompleted, envelope: CloudEvent
) -> None:
    await ctx.meetup_posts.completed(event.meetup, event.figures, envelope.id)
