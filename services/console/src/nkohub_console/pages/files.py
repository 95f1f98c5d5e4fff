"""Files: upload images and PDFs to the publishing service (a form without JavaScript,
CSRF-checked), the list with thumbnails and the Markdown to paste into a post, title and
alt text, deletion (refused, with the reason, while a post or an entry uses the file)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import Staff, StaffForm, StaffPage, checked_form, redirect, text
from nkohub_console.service.clients import ServiceRefused

router = APIRouter(prefix="/files")
PAGE_SIZE = 30
KINDS = {"": "все", "image": "изображения", "pdf": "PDF"}
FILE_MAX_BYTES = 30 * 1024 * 1024  # publishing's largest (a PDF); images: 10 MB


async def _page(
    staff: Staff,
    *,
    kind: str = "",
    page: int = 1,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = await staff.services.publishing.files(kind or None, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, -(-found["total"] // PAGE_SIZE))
    return staff.render(
        "files.html",
        status_code=status_code,
        files=found["items"],
        total=found["total"],
        kind=kind,
        kinds=KINDS,
        page=page,
        pages=pages,
        errors=errors or FormErrors(),
        form=form or {},
        public_url=staff.ctx.settings.public_url("publishing"),
    )


@router.get("")
async def files(
    staff: StaffPage,
    kind: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    return await _page(staff, kind=kind if kind in KINDS else "", page=page)


@router.post("/upload")
async def upload(request: Request, staff: StaffPage) -> Response:
    form = await checked_form(request, staff)
    file = form.get("file")
    typed = {"title": text(form, "title"), "alt": text(form, "alt")}
    if not isinstance(file, UploadFile) or not file.filename:
        errors = FormErrors()
        errors.add("file", "выберите файл: изображение (JPEG, PNG, WebP, GIF) или PDF")
        return await _page(staff, errors=errors, form=typed, status_code=422)
    try:
        await staff.services.publishing.upload_file(file.filename, file.file, typed)
    except ServiceRefused as exc:
        errors = exc.errors()
        if not errors.fields:  # a refusal of the file itself (type, size) names no field
            errors = FormErrors()
            errors.add("file", exc.message)
        return await _page(staff, errors=errors, form=typed, status_code=exc.status)
    return redirect("/files", "created")


@router.post("/{file_id}")
async def save(file_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    fields = {"title": text(form, "title") or None, "alt": text(form, "alt")}
    try:
        await staff.services.publishing.update_file(file_id, fields)
    except ServiceRefused as exc:
        errors = FormErrors()
        errors.general.append(exc.message)
        return await _page(staff, errors=errors, status_code=exc.status)
    return redirect(f"/files#file-{file_id}", "saved")


@router.post("/{file_id}/delete")
async def delete(file_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    try:
        await staff.services.publishing.delete_file(file_id)
    except ServiceRefused as exc:
        errors = FormErrors()
        errors.general.append(exc.message)
        return await _page(staff, errors=errors, status_code=exc.status)
    return redirect("/files", "deleted")
