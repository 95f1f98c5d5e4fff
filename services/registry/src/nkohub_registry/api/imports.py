"""Import of official data (staff): a Ministry of Justice listing or the registry's template
(or its export), upserted by ОГРН — see ``service.imports``.

The upload is read here as it arrives, not parsed by the framework first (which would take
in the whole file before the route runs): a declared or actual body over the limit is
refused at once (413, field ``file``) without reading on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.types import Message

from nkohub_registry.api.bodies import read_within
from nkohub_registry.api.deps import Context
from nkohub_registry.service.imports import import_table
from nkohub_registry.service.tables import MAX_UPLOAD_BYTES, FileTooLarge
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, file_upload_openapi

router = APIRouter()

MAX_BODY_BYTES = MAX_UPLOAD_BYTES + MULTIPART_ENVELOPE_BYTES
CITY_MAX = 100

_FORM = file_upload_openapi(
    "CSV или XLSX, до 20 МБ", city={"type": "string", "maxLength": CITY_MAX}
)


async def _form_of(request: Request, body: bytes) -> tuple[bytes, str, str | None]:
    """(file bytes, file name, city) from a multipart body already read."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=5)
    except Exception:  # the multipart parser's refusals differ between versions
        raise InvalidInput("ожидается форма multipart с полем file", field="file") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("не приложен файл", field="file")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise FileTooLarge()
        city = form.get("city")
        if city is not None and (not isinstance(city, str) or len(city) > CITY_MAX):
            raise InvalidInput(f"город: не длиннее {CITY_MAX} знаков", field="city")
        return data, upload.filename or "", (city or None)
    finally:
        await form.close()


@router.post(
    "/organizations/import",
    openapi_extra=_FORM,
    responses={413: {"description": "файл больше 20 МБ (field file)"}},
)
async def import_organizations(request: Request, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """Upsert by ОГРН; a report of rows created, updated, unchanged, skipped, rejected.
    Multipart form: ``file`` (CSV or XLSX, at most 20 MB and 100,000 rows), ``city``."""
    body = await read_within(request, MAX_BODY_BYTES, FileTooLarge())
    data, filename, city = await _form_of(request, body)
    report = await import_table(
        ctx.organizations, data, filename=filename, city=city, actor=user.sub
    )
    return report.as_dict()
