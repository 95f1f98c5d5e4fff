"""What the routes (and pages) share: the service's context, and an uploaded file."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, UploadFile

from nkohub_publishing.context import PublishingContext
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.app import context_of

Context = Annotated[PublishingContext, Depends(context_of)]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


async def read_upload(file: UploadFile) -> bytes:
    """The uploaded ``file``'s bytes: not empty, 50 MB at most."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("the file is larger than 50 MB", field="file")
    if not data:
        raise InvalidInput("the file is empty", field="file")
    return data


Upload = Annotated[bytes, Depends(read_upload)]
