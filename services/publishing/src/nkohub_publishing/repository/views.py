"""View counting: one view per visitor per post per day, counted per day and per period
(an hour by default), reported as ``publishing.views.counted`` once per closed period.

A visitor is never stored: only a one-day HMAC of IP + user agent + day + post
(``domain.visitor_key``), and visit marks older than yesterday are deleted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_publishing import domain
from nkohub_publishing.repository.base import Document
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.publishing import PostViews, ViewsCounted
from nkohub_shared.storage.outbox import push_outbox, with_outbox


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local (Europe/Samara) day as UTC instants [start, end)."""
    start = datetime.combine(day, time(), domain.SAMARA)
    return start, start + timedelta(days=1)


class Views:
    def __init__(self, db: AsyncDatabase[Document], secret: str, bucket_seconds: int) -> None:
        self.visits = db["view_visits"]
        self.days = db["view_days"]
        self.buckets = db["view_buckets"]
        self.imports = db["view_imports"]
        self.posts = db["posts"]
        self.secret = secret
        self.bucket_seconds = bucket_seconds

    async def record(self, post_id: str, ip: str, user_agent: str, now: datetime) -> bool:
        """Count a view unless this visitor already viewed this post today."""
        day = domain.local_day(now)
        key = domain.visitor_key(self.secret, ip, user_agent, day, post_id)
        try:
            await self.visits.insert_one({"_id": key, "day": day.isoformat()})
        except DuplicateKeyError:
            return False
        start = domain.bucket_start(now, self.bucket_seconds)
        await self.days.update_one(
            {"_id": f"{post_id}|{day.isoformat()}"},
            {"$inc": {"views": 1}, "$setOnInsert": {"post_id": post_id, "day": day.isoformat()}},
            upsert=True,
        )
        await self.buckets.update_one(
            {"_id": start.isoformat()},
            {
                "$inc": {f"counts.{post_id}": 1},
                "$setOnInsert": {
                    "start": start,
                    "end": start + timedelta(seconds=self.bucket_seconds),
                    "reported": False,
                },
            },
            upsert=True,
        )
        await self.posts.update_one({"_id": post_id}, {"$inc": {"views": 1}})
        return True

    async def report_closed(self, now: datetime, grace_seconds: float) -> list[str]:
        """Put one ``ViewsCounted`` per closed, unreported period into the outbox; the
        ``reported`` flag flips in that same write, so a period is reported once."""
        reported: list[str] = []
        cutoff = now - timedelta(seconds=grace_seconds)
        cursor = self.buckets.find({"reported": False, "end": {"$lte": cutoff}})
        async for bucket in cursor:
            counts: dict[str, int] = bucket.get("counts", {})
            event = new_event(
                ViewsCounted(
                    period_start=bucket["start"],
                    period_end=bucket["end"],
                    views=sum(counts.values()),
                    posts=[PostViews(post_id=p, views=n) for p, n in sorted(counts.items())],
                )
            )
            result = await self.buckets.update_one(
                {"_id": bucket["_id"], "reported": False},
                push_outbox({"$set": {"reported": True, "reported_at": now}}, event),
            )
            if result.modified_count:
                reported.append(bucket["_id"])
        yesterday = (domain.local_day(now) - timedelta(days=1)).isoformat()
        await self.visits.delete_many({"day": {"$lt": yesterday}})
        return reported

    async def import_day(self, day: date, counts: dict[str, int]) -> str:
        """Historical views of one day (from the old blog's statistics), reported like live
        counting with a one-day period. Returns ``imported``, ``already`` or ``live``."""
        start, end = day_bounds(day)
        live = await self.buckets.count_documents({"start": {"$gte": start, "$lt": end}})
        if live:
            return "live"  # periods must not overlap live counting
        event = new_event(
            ViewsCounted(
                period_start=start,
                period_end=end,
                views=sum(counts.values()),
                posts=[PostViews(post_id=p, views=n) for p, n in sorted(counts.items())],
            )
        )
        try:
            await self.imports.insert_one(
                with_outbox({"_id": day.isoformat(), "counts": counts}, event)
            )
        except DuplicateKeyError:
            return "already"
        for post_id, n in counts.items():
            await self.days.update_one(
                {"_id": f"{post_id}|{day.isoformat()}"},
                {
                    "$inc": {"views": n},
                    "$setOnInsert": {"post_id": post_id, "day": day.isoformat()},
                },
                upsert=True,
            )
            await self.posts.update_one({"_id": post_id}, {"$inc": {"views": n}})
        return "imported"

    async def total_between(self, first: date, last: date) -> dict[str, Any]:
        pipeline = [
            {"$match": {"day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}},
            {"$group": {"_id": "$post_id", "views": {"$sum": "$views"}}},
        ]
        per_post = {d["_id"]: d["views"] async for d in await self.days.aggregate(pipeline)}
        return {"views": sum(per_post.values()), "per_post": per_post}

    async def daily(self, post_id: str, first: date, last: date) -> list[dict[str, Any]]:
        cursor = self.days.find(
            {"post_id": post_id, "day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
        ).sort([("day", 1)])
        return [{"day": d["day"], "views": d["views"]} async for d in cursor]

    async def hourly(self, post_id: str, first: date, last: date) -> list[dict[str, Any]]:
        start, _ = day_bounds(first)
        _, end = day_bounds(last)
        cursor = self.buckets.find(
            {"start": {"$gte": start, "$lt": end}, f"counts.{post_id}": {"$exists": True}}
        ).sort([("start", 1)])
        return [{"period_start": b["start"], "views": b["counts"][post_id]} async for b in cursor]
