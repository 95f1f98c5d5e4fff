"""What the routes (and pages) share: the service's context, and an uploaded file."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from nkohub_publishing.context import PublishingContext
from nkohub_publishing.domain.limits import UPLOAD_MAX_BYTES, TooLarge
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.app import context_of
from nkohub_shared.web.hardening import MULTIPART_ENVELOPE_BYTES, file_upload_openapi
from nkohub_shared.web.uploads import open_upload

Context = Annotated[PublishingContext, Depends(context_of)]

REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + MULTIPART_ENVELOPE_BYTES
UPLOAD_OPENAPI = file_upload_openapi()


def _too_large() -> TooLarge:
    megabytes = UPLOAD_MAX_BYTES // (1024 * 1024)
    return TooLarge(f"the file is larger than {megabytes} MB", field="file")


async def read_upload(request: Request) -> bytes:
    """The multipart ``file``'s bytes, read here as they arrive rather than by FastAPI
    (which would take a body of any size before a route could object): a declared or
    actual body, or a file, past the limit is refused (413) before the rest is read;
    only the file is held; not empty."""
    upload = await open_upload(request, max_body=REQUEST_MAX_BYTES, too_large=_too_large)
    data = await upload.read(UPLOAD_MAX_BYTES)
    if not data:
        raise InvalidInput("the file is empty", field="file")
    return data


Upload = Annotated[bytes, Depends(read_upload)]
