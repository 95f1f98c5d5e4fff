"""Bus handlers of the publishing service, named after the event they handle.

- ``publishing.directory``: the NGO directory («НКО Глазова») from the registry's events;
- ``publishing.meetup-posts``: announcements and report drafts from the events service.

Every write goes through ``apply_once`` so that a re-run after a crash changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nkohub_publishing import domain, meetup_posts
from nkohub_publishing.domain import Category, PostStatus
from nkohub_publishing.repository import now_utc
from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.readmodels import follow_organizations
from nkohub_shared.contracts import CloudEvent
from nkohub_shared.contracts.events import (
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.organizations import OrganizationReadModel
from nkohub_shared.storage.outbox import push_outbox

if TYPE_CHECKING:
    from nkohub_publishing.app import PublishingContext

directory = EventConsumer["PublishingContext"](
    "publishing", "directory", "Keeps the public NGO directory from the registry's events."
)
meetup_posts_consumer = EventConsumer["PublishingContext"](
    "publishing", "meetup-posts", "Drafts announcement and report posts of meetups."
)

CONSUMERS: list[EventConsumer] = [directory, meetup_posts_consumer]


# ---------------------------------------------------------------- NGO directory


follow_organizations(directory, lambda ctx: OrganizationReadModel(ctx.runtime.db))


# ---------------------------------------------------------------- meetup posts


def _link(ctx: PublishingContext, meetup_id: str) -> str:
    return meetup_posts.registration_url(str(ctx.settings.events_public_url), meetup_id)


@meetup_posts_consumer.on(MeetupScheduled)
async def meetup_scheduled(
    ctx: PublishingContext, event: MeetupScheduled, envelope: CloudEvent
) -> None:
    meetup = event.meetup
    post_id = meetup_posts.announcement_id(meetup.meetup_id)
    if await ctx.posts.posts.find_one({"_id": post_id}, {"_id": 1}):
        await _follow_update(ctx, meetup, envelope)
        return
    title, body = meetup_posts.announcement(meetup, _link(ctx, meetup.meetup_id))
    slug = await ctx.posts.reserve_slug(domain.make_slug(title), post_id)
    now = now_utc()
    publish = (await ctx.staff_settings.get())["publish_meetup_announcements"]
    doc: dict[str, Any] = {
        "title": title,
        "slug": slug,
        "slug_explicit": True,
        "body": body,
        "category": Category.MEETUP_ANNOUNCEMENTS.value,
        "tags": ["митап"],
        "cover_image_url": None,
        "attachments": [],
        "author": "nkohub",
        "status": (PostStatus.PUBLISHED if publish else PostStatus.DRAFT).value,
        "published_at": now if publish else None,
        "publish_at": None,
        "created_at": now,
        "updated_at": now,
        "views": 0,
        "meetup_id": meetup.meetup_id,
        "meetup_sequence": meetup.sequence,
        "generated": "announcement",
        **domain.rendered_fields(title, body, None),
    }
    update: dict[str, Any] = {"$setOnInsert": doc}
    if publish:
        update = push_outbox(update, ctx.posts.published_event({"_id": post_id, **doc}))
    if await apply_once(ctx.posts.posts, {"_id": post_id}, update, envelope.id, upsert=True):
        ctx.runtime.relay.kick()


async def _follow_update(ctx: PublishingContext, meetup: Any, envelope: CloudEvent) -> None:
    post_id = meetup_posts.announcement_id(meetup.meetup_id)
    title, body = meetup_posts.announcement(meetup, _link(ctx, meetup.meetup_id))
    changes = {
        "title": title,
        "body": body,
        "meetup_sequence": meetup.sequence,
        "updated_at": now_utc(),
        **domain.rendered_fields(title, body, None),
    }
    await apply_once(
        ctx.posts.posts,
        {"_id": post_id, "meetup_sequence": {"$lt": meetup.sequence}, "cancelled": {"$ne": True}},
        {"$set": changes},
        envelope.id,
    )


@meetup_posts_consumer.on(MeetupUpdated)
async def meetup_updated(
    ctx: PublishingContext, event: MeetupUpdated, envelope: CloudEvent
) -> None:
    await _follow_update(ctx, event.meetup, envelope)


@meetup_posts_consumer.on(MeetupCancelled)
async def meetup_cancelled(
    ctx: PublishingContext, event: MeetupCancelled, envelope: CloudEvent
) -> None:
    meetup = event.meetup
    post_id = meetup_posts.announcement_id(meetup.meetup_id)
    current = await ctx.posts.posts.find_one({"_id": post_id}, {"status": 1})
    if current is None:
        return
    title, body = meetup_posts.cancelled(meetup, event.reason)
    changes: dict[str, Any] = {
        "title": title,
        "body": body,
        "cancelled": True,
        "updated_at": now_utc(),
        **domain.rendered_fields(title, body, None),
    }
    if current["status"] in (PostStatus.DRAFT, PostStatus.SCHEDULED):
        # an announcement nobody has seen yet is put away; a published one tells readers
        changes["status"] = PostStatus.ARCHIVED.value
        changes["publish_at"] = None
    await apply_once(
        ctx.posts.posts,
        {"_id": post_id, "status": current["status"], "cancelled": {"$ne": True}},
        {"$set": changes},
        envelope.id,
    )


@meetup_posts_consumer.on(MeetupCompleted)
async def meetup_completed(
    ctx: PublishingContext, event: MeetupCompleted, envelope: CloudEvent
) -> None:
    meetup = event.meetup
    post_id = meetup_posts.report_id(meetup.meetup_id)
    title, body = meetup_posts.report(meetup, event.figures)
    slug = await ctx.posts.reserve_slug(domain.make_slug(title), post_id)
    now = now_utc()
    doc = {
        "title": title,
        "slug": slug,
        "slug_explicit": False,
        "body": body,
        "category": Category.MEETUP_REPORTS.value,
        "tags": ["митап", "итоги"],
        "cover_image_url": None,
        "attachments": [],
        "author": "nkohub",
        "status": PostStatus.DRAFT.value,
        "published_at": None,
        "publish_at": None,
        "created_at": now,
        "updated_at": now,
        "views": 0,
        "meetup_id": meetup.meetup_id,
        "figures": event.figures.model_dump(),
        "generated": "report",
        **domain.rendered_fields(title, body, None),
    }
    await apply_once(
        ctx.posts.posts, {"_id": post_id}, {"$setOnInsert": doc}, envelope.id, upsert=True
    )
