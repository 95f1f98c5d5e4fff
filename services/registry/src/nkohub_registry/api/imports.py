"""Import of official data (staff): a Ministry of Justice listing or the registry's template
(or its export), upserted by ОГРН — see ``service.imports``.

The upload is read here as it arrives (``nkohub_shared.web.uploads``), not parsed by the
framework first (which would take in the whole file before the route runs): a declared or
actual body, or a file, over the limit is refused at once (413, field ``file``) without
reading on; only the file is held, never the body around it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from nkohub_registry.api.deps import Context
from nkohub_registry.service.imports import import_table
from nkohub_registry.service.tables import MAX_UPLOAD_BYTES, FileTooLarge
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, file_upload_openapi
from nkohub_shared.web.uploads import open_upload

router = APIRouter()

MAX_BODY_BYTES = MAX_UPLOAD_BYTES + MULTIPART_ENVELOPE_BYTES
CITY_MAX = 100

_FORM = file_upload_openapi(
    "CSV или XLSX, до 20 МБ", city={"type": "string", "maxLength": CITY_MAX}
)


async def _form_of(request: Request) -> tuple[bytes, str, str | None]:
    """(file bytes, file name, city) of the multipart body, read as it arrives."""
    upload = await open_upload(request, max_body=MAX_BODY_BYTES, too_large=FileTooLarge)
    data = await upload.read(MAX_UPLOAD_BYTES)
    city = upload.fields.get("city")
    if city is not None and len(city) > CITY_MAX:
        raise InvalidInput(f"город: не длиннее {CITY_MAX} знаков", field="city")
    return data, upload.filename or "", (city or None)


@router.post(
    "/organizations/import",
    openapi_extra=_FORM,
    responses={413: {"description": "файл больше 20 МБ (field file)"}},
)
async def import_organizations(request: Request, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Upsert by ОГРН; a report of rows created, updated, unchanged, skipped, rejected.
    Multipart form: ``file`` (CSV or XLSX, at most 20 MB and 100,000 rows), ``city``."""
    data, filename, city = await _form_of(request)
    report = await import_table(
        ctx.organizations, data, filename=filename, city=city, actor=user.sub
    )
    return report.as_dict()
