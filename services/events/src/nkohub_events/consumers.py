"""Bus handlers of the events service, named after the event they handle; each decodes
and calls the service layer.

- ``events.registry``: organizations (a local read model for names, ОГРН and validation)
  and erasure of a person's data;
- ``events.publishing``: posts and post views, for the practice report (never publishing's
  database, never a synchronous call).
"""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.publishing import PostPublished, PostUnpublished, ViewsCounted
from nkohub_contracts.registry import PersonErased
from nkohub_events.context import EventsContext
from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.readmodels import follow_organizations

registry = EventConsumer[EventsContext](
    "events", "registry", "Organizations for display and validation; erasure of people."
)
publishing = EventConsumer[EventsContext](
    "events", "publishing", "Posts and their views, for the practice report."
)


follow_organizations(registry, lambda ctx: ctx.organization_read_model)


@registry.on(PersonErased)
async def person_erased(ctx: EventsContext, event: PersonErased, envelope: CloudEvent) -> None:
    """Erase names and contacts behind these keys; the pseudonymous key stays so figures
    (distinct participants) do not change."""
    await ctx.erasure.erase(event.person_keys)


@publishing.on(PostPublished)
async def post_published(ctx: EventsContext, event: PostPublished, envelope: CloudEvent) -> None:
    await ctx.posts.published(event, envelope)


@publishing.on(PostUnpublished)
async def post_unpublished(
    ctx: EventsContext, event: PostUnpublished, envelope: CloudEvent
) -> None:
    await ctx.posts.unpublished(event, envelope)


@publishing.on(ViewsCounted)
async def views_counted(ctx: EventsContext, event: ViewsCounted, envelope: CloudEvent) -> None:
    await ctx.posts.views_counted(event, envelope)


CONSUMERS: list[EventConsumer[EventsContext]] = [registry, publishing]
