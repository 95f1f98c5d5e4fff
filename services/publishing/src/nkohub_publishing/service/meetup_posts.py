"""Posts from the events service's meetups. Every write is applied once per consumed event
(the event's id rides in the post): a re-run after a crash or a redelivery changes nothing."""

from __future__ import annotations

from nkohub_contracts.common import MeetupSnapshot
from nkohub_contracts.events import MeetupFigures
from nkohub_publishing.domain import meetup_posts as texts
from nkohub_publishing.domain.clock import now_utc
from nkohub_publishing.domain.text import post_slug
from nkohub_publishing.service.posts import PostService
from nkohub_publishing.service.staff_settings import StaffSettingsService

NOT_CANCELLED = {"cancelled": {"$ne": True}}


class MeetupPostService:
    def __init__(
        self, posts: PostService, staff_settings: StaffSettingsService, events_public_url: str
    ) -> None:
        self.posts = posts
        self.repository = posts.repository
        self.staff_settings = staff_settings
        self.events_public_url = events_public_url

    def _link(self, meetup: MeetupSnapshot) -> str:
        return texts.registration_url(self.events_public_url, meetup.meetup_id)

    async def scheduled(self, meetup: MeetupSnapshot, event_id: str) -> None:
        """Draft the announcement (or publish it at once, if staff chose so); an
        announcement that exists already follows the meetup instead."""
        post_id = texts.announcement_id(meetup.meetup_id)
        if await self.repository.status_of(post_id) is not None:
            await self.updated(meetup, event_id)
            return
        slug = await self.posts.reserve_slug(post_slug(texts.announcement_title(meetup)), post_id)
        publish = await self.staff_settings.publish_meetup_announcements()
        post = texts.announcement_post(
            meetup, self._link(meetup), slug=slug, publish=publish, now=now_utc()
        )
        events = [self.posts.published_event({"_id": post_id, **post})] if publish else []
        await self.repository.update_once(
            post_id, {}, {"$setOnInsert": post}, event_id, *events, upsert=True
        )

    async def updated(self, meetup: MeetupSnapshot, event_id: str) -> None:
        """The announcement follows a newer version of the meetup (an older one arriving
        late is ignored), unless the meetup was cancelled."""
        changes = texts.announcement_update(meetup, self._link(meetup), now_utc())
        await self.repository.update_once(
            texts.announcement_id(meetup.meetup_id),
            {"meetup_sequence": {"$lt": meetup.sequence}, **NOT_CANCELLED},
            {"$set": changes},
            event_id,
        )

    async def cancelled(self, meetup: MeetupSnapshot, reason: str | None, event_id: str) -> None:
        """The announcement says the meetup is off (one nobody has seen is archived)."""
        post_id = texts.announcement_id(meetup.meetup_id)
        status = await self.repository.status_of(post_id)
        if status is None:
            return
        changes = texts.cancellation_update(meetup, reason, status, now_utc())
        await self.repository.update_once(
            post_id, {"status": status, **NOT_CANCELLED}, {"$set": changes}, event_id
        )

    async def completed(
        self, meetup: MeetupSnapshot, figures: MeetupFigures, event_id: str
    ) -> None:
        """A report draft with the figures; staff's later text is never overwritten."""
        post_id = texts.report_id(meetup.meetup_id)
        slug = await self.posts.reserve_slug(post_slug(texts.report_title(meetup)), post_id)
        post = texts.report_post(meetup, figures, slug=slug, now=now_utc())
        await self.repository.update_once(
            post_id, {}, {"$setOnInsert": post}, event_id, upsert=True
        )
