"""Copies of mailings' attachments: their bytes in GridFS (bucket ``mailing_files``:
``mailing_files.files``/``.chunks``), this service's own copy of the publishing service's
files, so a mailing does not depend on publishing while it is sent."""

from __future__ import annotations

import contextlib
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "mailing_files"


class AttachmentStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)

    async def put(self, data: bytes, filename: str, metadata: dict[str, Any]) -> str:
        stored = await self._bucket.upload_from_stream(filename, data, metadata=metadata)
        return str(stored)

    async def get(self, stored_id: str) -> bytes | None:
        try:
            stream = await self._bucket.open_download_stream(ObjectId(stored_id))
        except NoFile:
            return None
        return await stream.read()

    async def delete(self, stored_id: str) -> None:
        with contextlib.suppress(NoFile):  # deleted before (a repeated cleanup)
            await self._bucket.delete(ObjectId(stored_id))
