"""Files staff upload: ``POST /files`` (multipart ``file``, optional ``title`` and ``alt``,
streamed to storage), the list, one file's metadata, its title and alt text, deletion,
and ``GET /files/{id}/content`` — the bytes for other services, without a token (a
mailing's attachment). ``file_response`` also answers the public ``/files/{id}/{name}``
(``pages.py``)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from nkohub_publishing.api.deps import Context
from nkohub_publishing.domain import Document
from nkohub_publishing.domain import files as rules
from nkohub_publishing.domain.files import FileFields, FileKind
from nkohub_publishing.domain.limits import ID_MAX, LIMIT_MAX, OFFSET_MAX
from nkohub_publishing.service.files import FileService
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.hardening import file_upload_openapi
from nkohub_shared.web.uploads import open_upload

router = APIRouter()
FileId = Annotated[str, Path(max_length=ID_MAX)]
UPLOAD_OPENAPI = file_upload_openapi(
    "JPEG, PNG, WebP, GIF (10 MB) or PDF (30 MB), the type read from the content",
    title={"type": "string"},
    alt={"type": "string"},
)
IMMUTABLE = "public, max-age=31536000, immutable"
IMAGE_POLICY = "default-src 'none'; sandbox"


def file_out(file: Document, base_url: str) -> dict[str, Any]:
    path = rules.file_path(file["_id"], file["name"])
    out = {"id": file["_id"], **{k: v for k, v in file.items() if k != "_id"}}
    out["path"] = path
    out["url"] = base_url + path
    image = file["kind"] == FileKind.IMAGE
    out["markdown"] = (
        f"![{file.get('alt') or ''}]({path})" if image else f"[{file['title']}]({path})"
    )
    return out


@router.post("/files", status_code=201, openapi_extra=UPLOAD_OPENAPI)
async def upload(ctx: Context, staff: StaffUser, request: Request) -> dict:
    """Upload a file (multipart ``file``; ``title`` and ``alt`` optional, before or after
    it). Read and written to GridFS as it arrives: 415 for a type not taken (SVG among
    them), 413 naming ``file`` the moment the size passes its kind's limit — nothing is
    kept of a refused file."""
    form = await open_upload(request)
    file = await ctx.files.upload(
        form.chunks(), filename=form.filename, fields=form.fields, actor=staff.sub
    )
    return file_out(file, ctx.settings.base_url)


@router.get("/files")
async def list_files(
    ctx: Context,
    _: StaffUser,
    kind: FileKind | None = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
) -> dict:
    items, total = await ctx.files.page(kind.value if kind else None, limit, offset)
    base = ctx.settings.base_url
    return {"items": [file_out(f, base) for f in items], "total": total}


@router.get("/files/{file_id}")
async def get_file(ctx: Context, _: StaffUser, file_id: FileId) -> dict:
    return file_out(await ctx.files.get(file_id), ctx.settings.base_url)


@router.patch("/files/{file_id}")
async def update_file(ctx: Context, _: StaffUser, file_id: FileId, body: FileFields) -> dict:
    """Change the title or the alt text (an image needs alt text before a post uses it)."""
    return file_out(await ctx.files.update(file_id, body), ctx.settings.base_url)


@router.delete("/files/{file_id}", status_code=204)
async def delete_file(ctx: Context, staff: StaffUser, file_id: FileId) -> Response:
    """Delete a file: 409 naming the posts, documents and competitions that point at it."""
    await ctx.files.delete(file_id, actor=staff.sub)
    return Response(status_code=204)


@router.get("/files/{file_id}/content")
async def file_content(ctx: Context, file_id: FileId, request: Request) -> Response:
    """The file's bytes for another service (e.g. a mailing's attachment) at an address
    without the name, with its ``Content-Type``, ``Content-Disposition: attachment`` (RFC
    5987 name) and ``ETag``. No token: a file is public once uploaded, and the services
    hold only the public key (they verify staff tokens but cannot mint one)."""
    file = await ctx.files.get(file_id)
    return file_response(ctx.files, file, request, cache="private, no-cache", download=True)


# ---------------------------------------------------------------- serving

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(start, end) of one ``Range`` of bytes; ``None``: the whole file; ``False``: not
    satisfiable (416). Several ranges are answered with the whole file."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if len(first) > 15 or len(last) > 15 or (not first and not last):
        return None
    if not first:  # the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def file_response(
    files: FileService,
    file: Document,
    request: Request,
    *,
    cache: str = IMMUTABLE,
    download: bool = False,
) -> Response:
    """The file with its sniffed ``Content-Type``, ``nosniff``, ``Content-Disposition``,
    ``ETag`` (the SHA-256), 304 on ``If-None-Match``, one byte ``Range`` (206/416)."""
    etag = f'"{file["sha256"]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        "Content-Disposition": rules.content_disposition(file, download=download),
    }
    if file["kind"] == FileKind.IMAGE:
        headers["Content-Security-Policy"] = IMAGE_POLICY
    wanted = request.headers.get("if-none-match", "")
    if etag in [t.strip().removeprefix("W/") for t in wanted.split(",")] or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    size = file["size"]
    if_range = request.headers.get("if-range")
    span = _range(request.headers.get("range"), size) if not if_range or if_range == etag else None
    if span is False:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    status, start, end = 200, 0, size - 1
    if isinstance(span, tuple):
        status, (start, end) = 206, span
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=file["content_type"])
    return StreamingResponse(
        files.read(file["_id"], start, end),
        status_code=status,
        headers=headers,
        media_type=file["content_type"],
    )
