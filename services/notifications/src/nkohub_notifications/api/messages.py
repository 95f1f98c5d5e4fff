"""Staff: the delivery log, its counts, a message, a retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_notifications.api.deps import Context, Limit
from nkohub_notifications.domain.messages import MessageFilter, Status
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.paging import Offset

router = APIRouter(tags=["notifications: staff"])

RecipientQuery = Annotated[str | None, Query(description="e-mail address or person key")]


def message_out(doc: dict[str, Any]) -> dict[str, Any]:
    """A message as staff see it: ``id``, attachments by size instead of content."""
    out = {k: v for k, v in doc.items() if k != "_id"}
    out["id"] = doc["_id"]
    if "attachments" in out:
        out["attachments"] = [
            {k: v for k, v in a.items() if k != "content"} | {"size": len(a.get("content", ""))}
            for a in out["attachments"]
        ]
    return out


@router.get("/staff/messages")
async def delivery_log(
    ctx: Context,
    _: StaffUser,
    recipient: RecipientQuery = None,
    status: Status | None = None,
    template: str | None = None,
    meetup_id: str | None = None,
    channel: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Messages, newest first, with the total matching the filters."""
    filter = MessageFilter(recipient, status, template, meetup_id, channel)
    items, total = await ctx.delivery_log.page(filter, offset=offset, limit=limit)
    return {
        "items": [message_out(m) for m in items],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/staff/messages/counts")
async def delivery_counts(
    ctx: Context,
    _: StaffUser,
    recipient: RecipientQuery = None,
    template: str | None = None,
    meetup_id: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """How many messages are in each status (for the same filters as the log)."""
    counts = await ctx.delivery_log.counts(
        MessageFilter(recipient, None, template, meetup_id, channel)
    )
    return {"counts": counts, "total": sum(counts.values())}


@router.get("/staff/messages/{message_id}")
async def message_detail(message_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    return message_out(await ctx.delivery_log.message(message_id))


@router.post("/staff/messages/{message_id}/retry")
async def retry_message(message_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    """Queue a failed message again (e.g. after the address was corrected)."""
    await ctx.delivery_log.retry(message_id)
    return {"id": message_id, "status": Status.QUEUED.value}
