"""Staff: mailings — write, size the segment, preview, test, send now or at a time,
cancel, follow the progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context, Limit
from nkohub_notifications.domain.mailings import (
    MailingChanges,
    MailingDraft,
    MailingStatus,
    Segment,
)
from nkohub_shared.text import Email
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.paging import Offset

router = APIRouter(tags=["notifications: mailings"])


class TestSend(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email = Field(description="the staff member's own address")


class SendOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    send_at: datetime | None = Field(
        default=None, description="with a time zone; empty: now (within the scheduler's poll)"
    )


def mailing_out(doc: dict[str, Any], progress: dict[str, int] | None = None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["id"] = doc["_id"]
    if progress is not None:
        out["progress"] = progress
    return out


@router.post("/staff/mailings", status_code=201)
async def create_mailing(body: MailingDraft, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """A draft: subject, Markdown body and segment. Nothing is sent yet."""
    return mailing_out(await ctx.mailings.create(body, author=user.sub))


@router.get("/staff/mailings")
async def list_mailings(
    ctx: Context,
    _: StaffUser,
    status: MailingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Mailings, newest first (without their bodies)."""
    items, total = await ctx.mailings.page(status, offset=offset, limit=limit)
    return {"items": [mailing_out(m) for m in items], "total": total}


@router.post("/staff/mailings/audience")
async def segment_audience(body: Segment, ctx: Context, _: StaffUser) -> dict[str, int]:
    """How many a segment would mail (``included``) and how many it leaves out and why
    (``no_consent``, ``unsubscribed``, ``no_address``), before any mailing exists."""
    return await ctx.mailings.audience(body)


@router.get("/staff/mailings/{mailing_id}")
async def get_mailing(mailing_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    """The mailing with its progress: messages queued, sending, sent, failed, suppressed;
    ``unconfirmed``: of the sent, those a sender handed over and died before the server's
    answer (counted sent, never sent again)."""
    mailing = await ctx.mailings.get(mailing_id)
    out = mailing_out(mailing, await ctx.mailings.progress(mailing_id))
    out["unconfirmed"] = await ctx.mailings.unconfirmed(mailing_id)
    return out


@router.patch("/staff/mailings/{mailing_id}")
async def change_mailing(
    mailing_id: str, body: MailingChanges, ctx: Context, _: StaffUser
) -> dict[str, Any]:
    """Change a draft or a scheduled mailing (409 once it is being sent or cancelled)."""
    return mailing_out(await ctx.mailings.change(mailing_id, body))


@router.get("/staff/mailings/{mailing_id}/audience")
async def mailing_audience(mailing_id: str, ctx: Context, _: StaffUser) -> dict[str, int]:
    """The mailing's segment counted now."""
    mailing = await ctx.mailings.get(mailing_id)
    return await ctx.mailings.audience(Segment.model_validate(mailing["segment"]))


@router.get("/staff/mailings/{mailing_id}/preview", response_model=None)
async def preview_mailing(
    mailing_id: str,
    ctx: Context,
    _: StaffUser,
    format: Literal["json", "html", "text"] = "html",
) -> Any:
    """The message as a recipient sees it (HTML for the browser, or the text part)."""
    rendered = await ctx.mailings.preview(mailing_id)
    if format == "html":
        return HTMLResponse(rendered.html)
    if format == "text":
        return PlainTextResponse(rendered.text)
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


@router.post("/staff/mailings/{mailing_id}/test", status_code=202)
async def test_mailing(
    mailing_id: str, body: TestSend, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Send the message once to the staff member's address, subject marked «[Проверка]»."""
    return await ctx.mailings.test_send(mailing_id, email=body.email, author=user.sub)


@router.post("/staff/mailings/{mailing_id}/send", status_code=202)
async def send_mailing(
    mailing_id: str, body: SendOrder, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Schedule the mailing now or at ``send_at``; 409 if the segment mails nobody or the
    mailing is no longer a draft or scheduled, 422 ``send_at`` in the past."""
    return mailing_out(await ctx.mailings.schedule(mailing_id, body.send_at, author=user.sub))


@router.post("/staff/mailings/{mailing_id}/cancel")
async def cancel_mailing(mailing_id: str, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Cancel a scheduled mailing (409 once its sending began)."""
    return mailing_out(await ctx.mailings.cancel(mailing_id, author=user.sub))
