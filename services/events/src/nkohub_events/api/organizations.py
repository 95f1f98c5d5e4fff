"""The registry's organizations as this service knows them (its read model), for staff:
what registrations, bookings and sign-in sheets can be matched against."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["organizations"])


@router.get("/organizations")
async def list_known_organizations(
    ctx: Context,
    _: StaffUser,
    ogrn: Annotated[str | None, Query(pattern=r"^\d{13}$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Organizations received from the registry's events (id, names, ОГРН, status)."""
    collection = ctx.organizations.organizations
    query: dict[str, Any] = {"ogrn": ogrn} if ogrn else {}
    projection = {"full_name": 1, "short_name": 1, "ogrn": 1, "status": 1}
    cursor = (
        collection.find(query, projection)
        .sort("_id", 1)
        .skip((page - 1) * per_page)
        .limit(per_page)
    )
    items = [
        {
            "organization_id": o["_id"],
            "full_name": o.get("full_name"),
            "short_name": o.get("short_name"),
            "ogrn": o.get("ogrn"),
            "status": o.get("status", "active"),
        }
        async for o in cursor
    ]
    return {
        "items": items,
        "total": await collection.count_documents(query),
        "page": page,
        "per_page": per_page,
    }
