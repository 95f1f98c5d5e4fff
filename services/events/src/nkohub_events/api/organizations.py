"""The registry's organizations as this service knows them (its read model), for staff:
what registrations, bookings and sign-in sheets can be matched against."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context
from nkohub_shared.web.auth import StaffUser

router = APIRouter(tags=["organizations"])


@router.get("/organizations")
async def list_known_organizations(
    ctx: Context,
    _: StaffUser,
    ogrn: Annotated[str | None, Query(pattern=r"^\d{13}$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Organizations received from the registry's events (id, names, ОГРН, status)."""
    return await ctx.organizations.known(ogrn, page, per_page)
