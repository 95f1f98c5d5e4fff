"""Organizations: search and read (open), create/edit/import/export (staff),
self-registration (open, awaits approval), needs and grants (staff)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from nkohub_registry import exports
from nkohub_registry.api.deps import MaybeStaff, Service
from nkohub_registry.domain.history import GrantWon, history_view
from nkohub_registry.domain.needs import NeedsSurvey
from nkohub_registry.domain.organizations import (
    OrganizationCreate,
    OrganizationPatch,
    public_view,
    staff_view,
)
from nkohub_registry.domain.vocabulary import ActivityArea, LegalForm, Source, Status
from nkohub_registry.imports import TableError, import_table
from nkohub_registry.repository import OrganizationFilter
from nkohub_shared.errors import InvalidInput, NotFound
from nkohub_shared.web.auth import StaffUser

router = APIRouter()

Sort = Literal["name", "-name", "registered_on", "-registered_on", "created_at", "-created_at"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def organization_filter(
    q: Annotated[str | None, Query(max_length=200, description="слова названия")] = None,
    activity_area: ActivityArea | None = None,
    legal_form: LegalForm | None = None,
    status: Status | None = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    never_came: Annotated[bool, Query(description="ни разу не были у нас")] = False,
    source: Annotated[Source | None, Query(description="только для сотрудников")] = None,
    awaiting_approval: Annotated[bool, Query(description="только для сотрудников")] = False,
) -> OrganizationFilter:
    return OrganizationFilter(
        q=q,
        activity_area=activity_area.value if activity_area else None,
        legal_form=legal_form.value if legal_form else None,
        status=status.value if status else None,
        city=city,
        never_came=never_came,
        source=source.value if source else None,
        awaiting_approval=awaiting_approval,
    )


Filter = Annotated[OrganizationFilter, Depends(organization_filter)]


def _for_staff(flt: OrganizationFilter, staff: Any) -> OrganizationFilter:
    if staff is None:  # the public sees approved organizations, by public criteria only
        flt.source = None
        flt.awaiting_approval = False
        flt.include_unapproved = False
    else:
        flt.include_unapproved = True
    return flt


@router.get("/organizations")
async def list_organizations(
    service: Service,
    staff: MaybeStaff,
    flt: Filter,
    sort: Sort = "name",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Search: every word of ``q`` must begin a word of the name (case, ``ё``/``е`` and
    quotes ignored); a 10- or 13-digit ``q`` finds by ИНН/ОГРН."""
    items, total = await service.organizations.search(
        _for_staff(flt, staff), sort=sort, skip=(page - 1) * per_page, limit=per_page
    )
    histories = await service.organizations.histories([d["_id"] for d in items])
    view = staff_view if staff else public_view
    return {
        "items": [
            view(d, history_view(histories.get(d["_id"]), d.get("grants") or [])) for d in items
        ],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@router.post("/organizations", status_code=201)
async def create_organization(
    data: OrganizationCreate, service: Service, staff: MaybeStaff
) -> dict[str, Any]:
    """With a staff token: entered by staff, published at once. Without: a
    self-registration, kept unapproved until staff approve it."""
    if staff is None:
        doc = await service.create(data, source=Source.SELF_REGISTERED)
        return {"id": doc["_id"], "status": "awaiting_approval"}
    doc = await service.create(data, source=Source.STAFF)
    return staff_view(doc, await service.history(doc))


@router.get("/organizations/export", response_class=Response)
async def export_organizations(
    service: Service,
    _: StaffUser,
    flt: Filter,
    format: Literal["csv", "xlsx"] = "csv",
    sort: Sort = "name",
) -> Response:
    """The filtered list as CSV (UTF-8 with BOM) or XLSX, in the import template's columns."""
    flt.include_unapproved = True
    docs = [d async for d in service.organizations.iterate(flt, sort=sort)]
    if format == "xlsx":
        return Response(
            exports.to_xlsx(docs),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="organizations.xlsx"'},
        )
    return Response(
        exports.to_csv(docs),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="organizations.csv"'},
    )


@router.post("/organizations/import")
async def import_organizations(
    service: Service,
    _: StaffUser,
    file: Annotated[UploadFile, File(description="CSV или XLSX")],
    city: Annotated[str | None, Form(max_length=100)] = None,
) -> dict[str, Any]:
    """Upsert by ОГРН from a Ministry of Justice listing or the registry's template."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("файл больше 20 МБ", field="file")
    try:
        report = await import_table(service, data, filename=file.filename or "", city=city)
    except TableError as exc:
        raise InvalidInput(str(exc), field="file") from None
    return report.as_dict()


async def _visible(service: Service, organization_id: str, staff: Any) -> dict[str, Any]:
    doc = await service.get(organization_id)
    if staff is None and not doc.get("approved", True):
        raise NotFound("нет такой организации", field="id")
    return doc


@router.get("/organizations/{organization_id}")
async def get_organization(
    organization_id: str, service: Service, staff: MaybeStaff
) -> dict[str, Any]:
    doc = await _visible(service, organization_id, staff)
    history = await service.history(doc)
    return staff_view(doc, history) if staff else public_view(doc, history)


@router.patch("/organizations/{organization_id}")
async def patch_organization(
    organization_id: str, patch: OrganizationPatch, service: Service, _: StaffUser
) -> dict[str, Any]:
    """Only the fields sent change; they are remembered as edited by hand."""
    doc, changed = await service.change(
        organization_id, patch.changes(), by_hand=True, reason=patch.status_reason
    )
    return {**staff_view(doc, await service.history(doc)), "changed": changed}


@router.post("/organizations/{organization_id}/approve")
async def approve_organization(
    organization_id: str, service: Service, _: StaffUser
) -> dict[str, Any]:
    doc = await service.approve(organization_id)
    return staff_view(doc, await service.history(doc))


@router.put("/organizations/{organization_id}/needs")
async def put_needs(
    organization_id: str, survey: NeedsSurvey, service: Service, _: StaffUser
) -> dict[str, Any]:
    doc = await service.set_needs(organization_id, survey)
    return {"organization_id": doc["_id"], "needs": doc["needs"]}


@router.post("/organizations/{organization_id}/grants", status_code=201)
async def add_grant(
    organization_id: str, grant: GrantWon, service: Service, _: StaffUser
) -> dict[str, Any]:
    return await service.add_grant(organization_id, grant)
