"""Organizations: search and read (open), create/edit (staff), self-registration (open:
a proposal for staff, see ``api.proposals``), needs and grants (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from nkohub_registry.api.bodies import json_within
from nkohub_registry.api.deps import Context, Filter, Sort
from nkohub_registry.domain.history import GrantWon
from nkohub_registry.domain.needs import NeedsSurvey
from nkohub_registry.domain.organizations import (
    OrganizationCreate,
    OrganizationPatch,
    public_view,
    staff_view,
)
from nkohub_registry.domain.proposals import ACCEPTED, SelfRegistration
from nkohub_registry.domain.vocabulary import Source
from nkohub_registry.service.organizations import SEARCH_READS
from nkohub_shared.storage.writeclock import WriteClock
from nkohub_shared.web.auth import MaybeStaff, StaffUser
from nkohub_shared.web.caching import (
    ResponseCache,
    answered_from_cache,
    public_get_key,
)
from nkohub_shared.web.clients import ClientAddress

router = APIRouter()

MAX_BODY_BYTES = 64 * 1024  # an organization's fields at their longest fit several times
# The public's search answers, encoded once: a repeated search is a dictionary look-up and
# the stored bytes (``nkohub_shared.web.caching``: fresh while no replica wrote to what they
# were read from, the others' writes arriving as notes through the broker; ETag and 304).
PUBLIC_SEARCHES = ResponseCache(max_entries=512, max_bytes=16 * 1024 * 1024)


def _searched(request: Request) -> tuple[str, tuple[str, ...], WriteClock]:
    """Where the public search reads from (for a hit answered before validation)."""
    runtime = request.app.state.runtime
    return runtime.context.organizations.organizations.database, SEARCH_READS, runtime.writes


search_router = APIRouter(route_class=answered_from_cache(PUBLIC_SEARCHES, _searched))


@search_router.get("/organizations", response_model=None)
async def list_organizations(
    ctx: Context,
    request: Request,
    staff: MaybeStaff,
    flt: Filter,
    sort: Sort = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Search: every word of ``q`` must begin a word of the name (case, ``ё``/``е`` and
    quotes ignored); a 10- or 13-digit ``q`` finds by ИНН/ОГРН. The public's answers are
    cached with validators (``ETag``, ``Last-Modified``, ``304``); staff always read the
    store."""

    async def build() -> Response:
        found, total = await ctx.organizations.search(
            flt, staff=staff is not None, sort=sort, skip=(page - 1) * per_page, limit=per_page
        )
        view = staff_view if staff else public_view
        body = {
            "items": [view(doc, history) for doc, history in found],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
        return JSONResponse(jsonable_encoder(body))

    if staff is not None:
        return await build()
    return await PUBLIC_SEARCHES.respond(
        request,
        database=ctx.organizations.organizations.database,
        collections=SEARCH_READS,
        key=public_get_key(request),
        build=build,
        clock=ctx.runtime.writes,
    )


_BODY_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {**OrganizationCreate.model_json_schema(), "title": "OrganizationCreate"},
                        {**SelfRegistration.model_json_schema(), "title": "SelfRegistration"},
                    ]
                }
            }
        },
    }
}


@router.post(
    "/organizations",
    status_code=201,
    openapi_extra=_BODY_SCHEMA,
    responses={202: {"description": "без токена: заявка принята (всегда один и тот же ответ)"}},
)
async def create_organization(
    request: Request, ctx: Context, staff: MaybeStaff, client: ClientAddress
) -> Any:
    """With a staff token: an official record, announced at once (201, the record; 409
    naming a twin). Without: a self-registration — a proposal staff review (``/proposals``),
    limited per client address (429 with ``Retry-After``); only ``SelfRegistration``'s
    fields (a staff-only field such as ``status`` or ``leader_person_id`` is refused, 422
    naming it). Its answer is always the same 202 and names no record. A body over 64 KB
    is refused as it arrives (413)."""
    payload = await json_within(request, MAX_BODY_BYTES)
    if staff is None:
        await ctx.proposals.submit(payload, client=client)
        return JSONResponse(ACCEPTED, status_code=202)
    try:
        data = OrganizationCreate.model_validate(payload)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    doc = await ctx.organizations.create(data, source=Source.STAFF, actor=staff.sub)
    return staff_view(doc, await ctx.organizations.history_of(doc))


@router.get("/organizations/{organization_id}")
async def get_organization(organization_id: str, ctx: Context, staff: MaybeStaff) -> dict[str, Any]:
    doc = await ctx.organizations.visible(organization_id, staff=staff is not None)
    history = await ctx.organizations.history_of(doc)
    return staff_view(doc, history) if staff else public_view(doc, history)


@router.patch("/organizations/{organization_id}")
async def patch_organization(
    organization_id: str, patch: OrganizationPatch, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    """Only the fields sent change; they are remembered as edited by hand."""
    doc, changed = await ctx.organizations.change(
        organization_id,
        patch.changes(),
        by_hand=True,
        reason=patch.status_reason,
        actor=user.sub,
    )
    return {**staff_view(doc, await ctx.organizations.history_of(doc)), "changed": changed}


@router.post("/organizations/{organization_id}/approve")
async def approve_organization(
    organization_id: str, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    doc = await ctx.organizations.approve(organization_id, actor=user.sub)
    return staff_view(doc, await ctx.organizations.history_of(doc))


@router.put("/organizations/{organization_id}/needs")
async def put_needs(
    organization_id: str, survey: NeedsSurvey, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    doc = await ctx.organizations.set_needs(organization_id, survey, actor=user.sub)
    return {"organization_id": doc["_id"], "needs": doc["needs"]}


@router.post("/organizations/{organization_id}/grants", status_code=201)
async def add_grant(
    organization_id: str, grant: GrantWon, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    return await ctx.organizations.add_grant(organization_id, grant, actor=user.sub)
