"""What the routes (and pages) share: the service's context, and an uploaded file."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain.limits import UPLOAD_MAX_BYTES, TooLarge
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.app import context_of
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, file_upload_openapi

Context = Annotated[PublishingContext, Depends(context_of)]

REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + MULTIPART_ENVELOPE_BYTES
UPLOAD_OPENAPI = file_upload_openapi()


def _too_large() -> TooLarge:
    megabytes = UPLOAD_MAX_BYTES // (1024 * 1024)
    return TooLarge(f"the file is larger than {megabytes} MB", field="file")


def _limited(receive: Receive, max_bytes: int) -> Receive:
    """``receive`` that refuses (413) as soon as the body grows past ``max_bytes``."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > max_bytes:
            raise _too_large()
        return message

    return limited


async def read_upload(request: Request) -> bytes:
    """The multipart ``file``'s bytes, read here rather than by FastAPI (which would take a
    body of any size before a route could object): a declared or actual body past the limit
    is refused (413) while it is read, before the rest arrives; not empty."""
    declared = request.headers.get("content-length", "")
    if len(declared) > 12 or (declared.isdigit() and int(declared) > REQUEST_MAX_BYTES):
        raise _too_large()
    limited = Request(request.scope, _limited(request.receive, REQUEST_MAX_BYTES))
    form = await limited.form(max_files=1, max_fields=10)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput("send the file as the multipart field 'file'", field="file")
        data = await file.read(UPLOAD_MAX_BYTES + 1)
    finally:
        await form.close()
    if len(data) > UPLOAD_MAX_BYTES:
        raise _too_large()
    if not data:
        raise InvalidInput("the file is empty", field="file")
    return data


Upload = Annotated[bytes, Depends(read_upload)]
