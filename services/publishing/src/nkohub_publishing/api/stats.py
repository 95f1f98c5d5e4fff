"""Statistics: posts published and views in a period, and one post's views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from nkohub_publishing.api.deps import Context
from nkohub_publishing.domain.inputs import Day
from nkohub_publishing.domain.limits import ID_MAX
from nkohub_shared.web.auth import StaffUser

router = APIRouter()


@router.get("/stats")
async def stats(
    ctx: Context,
    _: StaffUser,
    from_: Annotated[Day, Query(alias="from")],
    to: Annotated[Day, Query()],
) -> dict:
    """Posts published and post views in [from, to] (local days, inclusive)."""
    return await ctx.views.stats(from_, to)


@router.get("/posts/{post_id}/views")
async def post_views(
    ctx: Context,
    _: StaffUser,
    post_id: Annotated[str, Path(max_length=ID_MAX)],
    from_: Annotated[Day, Query(alias="from")],
    to: Annotated[Day, Query()],
) -> dict:
    """Views of one post per day and per counting period (an hour by default)."""
    return await ctx.views.of_post(post_id, from_, to)
