"""Uploads of the old blog: its Blogger export and its view history."""

from __future__ import annotations

from fastapi import APIRouter

from nkohub_publishing.api.deps import UPLOAD_OPENAPI, Context, Upload
from nkohub_shared.web.auth import StaffUser

router = APIRouter()


@router.post("/imports/blogger", openapi_extra=UPLOAD_OPENAPI)
async def import_blogger(ctx: Context, _: StaffUser, file: Upload) -> dict:
    """Import a Blogger export (Atom XML, multipart ``file``, 20 MB and 20,000 entries at
    most, no DOCTYPE); idempotent. Returns the report."""
    return (await ctx.imports.import_blogger(file)).as_dict()


@router.post("/imports/views", openapi_extra=UPLOAD_OPENAPI)
async def import_views(ctx: Context, _: StaffUser, file: Upload) -> dict:
    """Import historical views (CSV, multipart ``file``: post URL or slug, date, views);
    one ``publishing.views.counted`` per day; idempotent per day. 20 MB and 200,000 rows
    at most."""
    return await ctx.imports.import_views_csv(file)
