"""Settings staff change at run time."""

from __future__ import annotations

from fastapi import APIRouter

from nkohub_publishing.api.deps import Context
from nkohub_publishing.domain.staff_settings import StaffSettingsChange
from nkohub_shared.web.auth import AdminUser, StaffUser

router = APIRouter()


@router.get("/settings")
async def get_settings(ctx: Context, _: StaffUser) -> dict:
    return await ctx.staff_settings.get()


@router.patch("/settings")
async def change_settings(ctx: Context, _: AdminUser, body: StaffSettingsChange) -> dict:
    """E.g. ``{"publish_meetup_announcements": true}``: announcements go live at once
    (admin)."""
    return await ctx.staff_settings.update(body)
