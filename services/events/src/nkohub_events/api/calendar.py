"""iCalendar (RFC 5545): one meetup, and a feed of all published meetups."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from nkohub_events.api.deps import Context
from nkohub_events.pages import MEETUPS_EARLY, MEETUPS_READS, PAGES
from nkohub_shared.calendar import calendar_of
from nkohub_shared.web.caching import public_get_key
from nkohub_shared.web.openapi import ICS_MEDIA_TYPE, content_of

router = APIRouter(tags=["calendar"])

ICS = ICS_MEDIA_TYPE
ICS_CONTENT = content_of(ICS, description="iCalendar (RFC 5545)")
FEED_SIZE = 1000


@router.get("/meetups/{meetup_id}/calendar.ics", response_class=Response, responses=ICS_CONTENT)
async def meetup_calendar(meetup_id: str, ctx: Context) -> Response:
    m = await ctx.meetups.get_published(meetup_id)
    body = calendar_of([(ctx.meetups.snapshot(m), m["status"] == "cancelled")], name=m["title"])
    return Response(
        body, media_type=ICS, headers={"Content-Disposition": f'inline; filename="{m["slug"]}.ics"'}
    )


async def calendar_feed(ctx: Context, request: Request) -> Response:
    """Every published meetup; cancelled ones stay in the feed as STATUS:CANCELLED so that
    subscribed calendars drop them. Cached like the pages (ETag, 304)."""

    async def build() -> Response:
        meetups = await ctx.meetups.list(
            statuses=["scheduled", "cancelled", "completed"], limit=FEED_SIZE
        )
        body = calendar_of(
            [(ctx.meetups.snapshot(m), m["status"] == "cancelled") for m in meetups],
            name="Открытое общение — встречи НКО",
        )
        return Response(body, media_type=ICS)

    return await PAGES.respond(
        request,
        database=ctx.runtime.db.name,
        clock=ctx.runtime.writes,
        collections=MEETUPS_READS,
        key=public_get_key(request),
        build=build,
    )


router.add_api_route(
    "/calendar.ics",
    calendar_feed,
    methods=["GET"],
    response_class=Response,
    responses=ICS_CONTENT,
    route_class_override=MEETUPS_EARLY,  # a cached feed goes out before dependencies
)
