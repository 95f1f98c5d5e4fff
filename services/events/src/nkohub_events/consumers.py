"""Bus handlers of the events service, named after the event they handle.

- ``events.registry``: organizations (a local read model for names, ОГРН and validation)
  and erasure of a person's data;
- ``events.publishing``: posts and post views, for the practice report (never publishing's
  database, never a synchronous call).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.readmodels import follow_organizations
from nkohub_shared.contracts import CloudEvent
from nkohub_shared.contracts.publishing import PostPublished, PostUnpublished, ViewsCounted
from nkohub_shared.contracts.registry import (
    PersonErased,
)
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.organizations import OrganizationReadModel

if TYPE_CHECKING:
    from nkohub_events.app import EventsContext

registry = EventConsumer["EventsContext"](
    "events", "registry", "Organizations for display and validation; erasure of people."
)
publishing = EventConsumer["EventsContext"](
    "events", "publishing", "Posts and their views, for the practice report."
)


follow_organizations(registry, lambda ctx: OrganizationReadModel(ctx.runtime.db))


@registry.on(PersonErased)
async def person_erased(ctx: EventsContext, event: PersonErased, envelope: CloudEvent) -> None:
    """Erase names and contacts behind these keys; the pseudonymous key stays so figures
    (distinct participants) do not change. Setting fields to erased values is naturally
    idempotent, so a re-run changes nothing."""
    await ctx.erase_people(event.person_keys)


@publishing.on(PostPublished)
async def post_published(ctx: EventsContext, event: PostPublished, envelope: CloudEvent) -> None:
    await apply_once(
        ctx.runtime.db["posts"],
        {"_id": event.post_id},
        {
            "$set": {
                "title": event.title,
                "category": event.category,
                "published_at": event.published_at,
                "published": True,
            }
        },
        envelope.id,
        upsert=True,
    )


@publishing.on(PostUnpublished)
async def post_unpublished(
    ctx: EventsContext, event: PostUnpublished, envelope: CloudEvent
) -> None:
    await apply_once(
        ctx.runtime.db["posts"],
        {"_id": event.post_id},
        {"$set": {"published": False}},
        envelope.id,
        upsert=True,
    )


@publishing.on(ViewsCounted)
async def views_counted(ctx: EventsContext, event: ViewsCounted, envelope: CloudEvent) -> None:
    """Periods never overlap: one document per period start, so a repeat is a no-op."""
    await apply_once(
        ctx.runtime.db["post_views"],
        {"_id": event.period_start.isoformat()},
        {
            "$set": {
                "period_start": event.period_start,
                "period_end": event.period_end,
                "views": event.views,
            }
        },
        envelope.id,
        upsert=True,
    )


CONSUMERS: list[EventConsumer] = [registry, publishing]
