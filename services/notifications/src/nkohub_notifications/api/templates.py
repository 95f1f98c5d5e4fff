"""Staff: message templates — list, show, preview, save, history, restore, back to the
default; running the daily digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.editing import MAX_CHARS
from nkohub_notifications.domain.rendering import Draft, Rendered
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.openapi import HTML_MEDIA_TYPE, TEXT_MEDIA_TYPE, content_of

router = APIRouter(tags=["notifications: staff"])


class TemplateDraft(BaseModel):
    """The editable parts: the subject (one line of Jinja2) and the bodies of the HTML and
    text parts (inside the fixed layout with the greeting, footer and unsubscribe link)."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(max_length=MAX_CHARS["subject"])
    html: str = Field(max_length=MAX_CHARS["html"])
    text: str = Field(max_length=MAX_CHARS["text"])

    def draft(self) -> Draft:
        return Draft(subject=self.subject, html=self.html, text=self.text)


def rendered_out(name: str, rendered: Rendered) -> dict[str, Any]:
    return {"name": name, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}


@router.get("/staff/templates")
async def list_templates(ctx: Context, _: StaffUser) -> list[dict[str, Any]]:
    """Every template: name, Russian title, whether staff overrode it."""
    return await ctx.templates.list()


@router.get("/staff/templates/{name}")
async def get_template(name: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    """The parts in use (override or default), the default's parts, the variables with
    descriptions and sample values."""
    return await ctx.templates.show(name)


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
    """The template as used now, rendered with sample data."""
    rendered = await ctx.templates.preview(name)
    if format == "html":
        return HTMLResponse(rendered.html)
    if format == "text":
        return PlainTextResponse(rendered.text)
    return rendered_out(name, rendered)


@router.post("/staff/templates/{name}/preview")
async def preview_draft(
    name: str, body: TemplateDraft, ctx: Context, _: StaffUser
) -> dict[str, Any]:
    """A draft rendered with sample data; refused (422 naming the part and line) as a
    save would be."""
    return rendered_out(name, await ctx.templates.preview(name, body.draft()))


@router.put("/staff/templates/{name}")
async def save_template(
    name: str, body: TemplateDraft, ctx: Context, staff: StaffUser
) -> dict[str, Any]:
    """Save staff's version (any staff member: every version is kept with who saved it
    and can be restored, and a draft that fails on sample data is refused — 422 with
    ``field`` = ``subject``/``html``/``text`` and ``line``)."""
    version = await ctx.templates.save(name, body.draft(), by=staff.sub)
    return {"name": name, "overridden": True, "version": version}


@router.delete("/staff/templates/{name}")
async def reset_template(name: str, ctx: Context, staff: StaffUser) -> dict[str, Any]:
    """Back to the default (the override's versions stay in the history)."""
    await ctx.templates.reset(name, by=staff.sub)
    return {"name": name, "overridden": False}


@router.get("/staff/templates/{name}/history")
async def template_history(name: str, ctx: Context, _: StaffUser) -> list[dict[str, Any]]:
    """Saves, restores and resets, newest first (who, when, the parts saved)."""
    return await ctx.templates.history(name)


@router.post("/staff/templates/{name}/history/{entry_id}/restore")
async def restore_template(
    name: str, entry_id: str, ctx: Context, staff: StaffUser
) -> dict[str, Any]:
    """An earlier saved version becomes the template again."""
    version = await ctx.templates.restore(name, entry_id, by=staff.sub)
    return {"name": name, "overridden": True, "version": version}


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
