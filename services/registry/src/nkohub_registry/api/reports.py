"""Staff reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from nkohub_registry.api.deps import Context
from nkohub_shared.web.auth import StaffUser

router = APIRouter()


@router.get("/reports/needs")
async def needs_report(ctx: Context, _: StaffUser) -> dict[str, Any]:
    """Shares (of the organizations that answered) per need, per specialist, and of those
    willing to meet and wanting consultations."""
    return await ctx.organizations.needs_report()
