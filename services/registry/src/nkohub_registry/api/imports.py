"""Import of official data (staff): a Ministry of Justice listing or the registry's
template (or its export), upserted by ОГРН — see ``service.imports``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from nkohub_registry.api.deps import Context
from nkohub_registry.service.imports import import_table
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.auth import StaffUser

router = APIRouter()

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@router.post("/organizations/import")
async def import_organizations(
    ctx: Context,
    _: StaffUser,
    file: Annotated[UploadFile, File(description="CSV или XLSX")],
    city: Annotated[str | None, Form(max_length=100)] = None,
) -> dict[str, Any]:
    """Upsert by ОГРН; a report of rows created, updated, unchanged, skipped, rejected."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("файл больше 20 МБ", field="file")
    report = await import_table(ctx.organizations, data, filename=file.filename or "", city=city)
    return report.as_dict()
