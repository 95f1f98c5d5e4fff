"""Imports of the old blog: posts from a Blogger export and historical view counts from a
CSV. Both are idempotent: run again, they change nothing. Files are parsed, and imported
posts sanitised, in a worker thread: the service keeps answering meanwhile."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from nkohub_publishing.domain import blogger
from nkohub_publishing.domain.blogger import ImportReport
from nkohub_publishing.domain.clock import day_bounds, now_utc
from nkohub_publishing.domain.posts import PostStatus
from nkohub_publishing.domain.text import post_slug
from nkohub_publishing.domain.views import views_counted
from nkohub_publishing.repository import ViewRepository
from nkohub_publishing.service.posts import PostService

Progress = Callable[[int, int], None]


class ImportService:
    def __init__(self, posts: PostService, views: ViewRepository) -> None:
        self.posts = posts
        self.post_repository = posts.repository
        self.views = views

    async def import_blogger(self, data: bytes, progress: Progress | None = None) -> ImportReport:
        """Posts (published ones with their ``publishing.post.published``), labels as tags,
        dates, and old addresses that redirect."""
        entries, total, problems = await asyncio.to_thread(blogger.parse_blogger, data)
        report = ImportReport(entries=total, posts_found=len(entries), skipped=problems)
        for n, entry in enumerate(entries, 1):
            slug = await self.posts.reserve_slug(post_slug(entry.title), entry.post_id)
            post = await asyncio.to_thread(blogger.imported_post, entry, slug=slug, now=now_utc())
            published = post["status"] == PostStatus.PUBLISHED
            events = [self.posts.published_event(post)] if published else []
            if await self.post_repository.insert_once(post, *events):
                report.created += 1
                report.drafts += int(entry.draft)
            else:
                report.already_imported += 1
            if entry.legacy_path:
                await self.post_repository.add_redirect(entry.legacy_path, entry.post_id)
                report.redirects += 1
            if progress:
                progress(n, len(entries))
        return report

    async def import_views_csv(self, data: bytes) -> dict[str, Any]:
        """Rows ``post,date,views``; one ``publishing.views.counted`` per day, once."""
        rows, problems = await asyncio.to_thread(blogger.parse_views_csv, data)
        per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        unknown: list[str] = []
        resolved: dict[str, str | None] = {}
        for row in rows:
            if row.ref not in resolved:
                resolved[row.ref] = await self._post_of(row.ref)
            post_id = resolved[row.ref]
            if post_id is None:
                unknown.append(f"line {row.line}: no post {row.ref!r}")
                continue
            per_day[row.day][post_id] += row.views
        outcome: dict[str, list[str]] = {"imported": [], "already": [], "live": []}
        for day in sorted(per_day):
            result = await self._import_day(day, dict(per_day[day]))
            outcome[result].append(day.isoformat())
        return {
            "days_imported": outcome["imported"],
            "days_already_imported": outcome["already"],
            "days_skipped_live_counting": outcome["live"],
            "views_imported": sum(
                sum(per_day[date.fromisoformat(d)].values()) for d in outcome["imported"]
            ),
            "unknown_posts": unknown,
            "problems": problems,
        }

    async def _post_of(self, ref: str) -> str | None:
        """The post a row names: by an old address, else by a (former) slug."""
        path, slug = blogger.ref_path_and_slug(ref)
        post_id = await self.post_repository.redirect_target(path) if path else None
        if post_id is None and slug:
            post_id = await self.post_repository.slug_holder(slug)
        return post_id

    async def _import_day(self, day: date, counts: dict[str, int]) -> str:
        """Historical views of one day, reported like live counting with a one-day period.
        Returns ``imported``, ``already`` or ``live`` (periods must not overlap live
        counting)."""
        start, end = day_bounds(day)
        if await self.views.periods_between(start, end):
            return "live"
        if not await self.views.insert_imported_day(day, counts, views_counted(start, end, counts)):
            return "already"
        for post_id, n in counts.items():
            await self.views.add_day(post_id, day, n)
            await self.post_repository.add_views(post_id, n)
        return "imported"
