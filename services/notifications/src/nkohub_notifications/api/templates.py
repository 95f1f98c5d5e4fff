"""Staff: message templates and their previews; running the daily digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.rendering import SPECS
from nkohub_shared.errors import InvalidInput, NotFound
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.openapi import HTML_MEDIA_TYPE, TEXT_MEDIA_TYPE, content_of

router = APIRouter(tags=["notifications: staff"])


@router.get("/staff/templates")
async def list_templates(_: StaffUser) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "transactional": s.transactional, "description": s.description}
        for s in SPECS.values()
    ]


@router.get(
    "/staff/templates/{name}/preview",
    response_model=None,
    responses=content_of(HTML_MEDIA_TYPE, TEXT_MEDIA_TYPE),
)
async def preview_template(
    name: str,
    ctx: Context,
    _: StaffUser,
    format: Literal["json", "html", "text"] = "json",
) -> Any:
    """The template rendered with sample data."""
    if name not in SPECS:
        raise NotFound(f"no template {name!r}", field="name")
    rendered = ctx.notifier.preview(name)
    if format == "html":
        return HTMLResponse(rendered.html)
    if format == "text":
        return PlainTextResponse(rendered.text)
    return {"name": name, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}


class DigestRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cutoff: datetime | None = Field(
        default=None, description="end of the 24-hour window; default the latest digest time"
    )


@router.post("/staff/digests/run")
async def run_digest(body: DigestRun, ctx: Context, _: StaffUser) -> dict[str, Any]:
    """Send the daily digest now (normally the scheduler does at ``digest_time``)."""
    cutoff = body.cutoff or ctx.digests.latest_cutoff()
    if cutoff.tzinfo is None:
        raise InvalidInput("cutoff needs a time zone", field="cutoff")
    return {"cutoff": cutoff, "queued": await ctx.digests.run(cutoff)}
