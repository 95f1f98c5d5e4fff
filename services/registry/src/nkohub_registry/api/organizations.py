"""Organizations: search and read (open), create/edit/approve (staff), self-registration
(open, awaits approval), needs and grants (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from nkohub_registry.api.deps import Context, Filter, Sort
from nkohub_registry.domain.history import GrantWon
from nkohub_registry.domain.needs import NeedsSurvey
from nkohub_registry.domain.organizations import (
    OrganizationCreate,
    OrganizationPatch,
    public_view,
    staff_view,
)
from nkohub_registry.domain.vocabulary import Source
from nkohub_shared.web.auth import MaybeStaff, StaffUser

router = APIRouter()


@router.get("/organizations")
async def list_organizations(
    ctx: Context,
    staff: MaybeStaff,
    flt: Filter,
    sort: Sort = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Search: every word of ``q`` must begin a word of the name (case, ``ё``/``е`` and
    quotes ignored); a 10- or 13-digit ``q`` finds by ИНН/ОГРН."""
    found, total = await ctx.organizations.search(
        flt, staff=staff is not None, sort=sort, skip=(page - 1) * per_page, limit=per_page
    )
    view = staff_view if staff else public_view
    return {
        "items": [view(doc, history) for doc, history in found],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@router.post("/organizations", status_code=201)
async def create_organization(
    data: OrganizationCreate, ctx: Context, staff: MaybeStaff
) -> dict[str, Any]:
    """With a staff token: entered by staff, published at once. Without: a
    self-registration, kept unapproved until staff approve it."""
    if staff is None:
        doc = await ctx.organizations.create(data, source=Source.SELF_REGISTERED)
        return {"id": doc["_id"], "status": "awaiting_approval"}
    doc = await ctx.organizations.create(data, source=Source.STAFF)
    return staff_view(doc, await ctx.organizations.history_of(doc))


@router.get("/organizations/{organization_id}")
async def get_organization(organization_id: str, ctx: Context, staff: MaybeStaff) -> dict[str, Any]:
    doc = await ctx.organizations.visible(organization_id, staff=staff is not None)
    history = await ctx.organizations.history_of(doc)
    return staff_view(doc, history) if staff else public_view(doc, history)


@router.patch("/organizations/{organization_id}")
async def patch_organization(
    organization_id: str, patch: OrganizationPatch, ctx: Context, _: StaffUser
) -> dict[str, Any]:
    """Only the fields sent change; they are remembered as edited by hand."""
    doc, changed = await ctx.organizations.change(
        organization_id, patch.changes(), by_hand=True, reason=patch.status_reason
    )
    return {**staff_view(doc, await ctx.organizations.history_of(doc)), "changed": changed}


@router.post("/organizations/{organization_id}/approve")
async def approve_organization(organization_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    doc = await ctx.organizations.approve(organization_id)
    return staff_view(doc, await ctx.organizations.history_of(doc))


@router.put("/organizations/{organization_id}/needs")
async def put_needs(
    organization_id: str, survey: NeedsSurvey, ctx: Context, _: StaffUser
) -> dict[str, Any]:
    doc = await ctx.organizations.set_needs(organization_id, survey)
    return {"organization_id": doc["_id"], "needs": doc["needs"]}


@router.post("/organizations/{organization_id}/grants", status_code=201)
async def add_grant(
    organization_id: str, grant: GrantWon, ctx: Context, _: StaffUser
) -> dict[str, Any]:
    return await ctx.organizations.add_grant(organization_id, grant)
