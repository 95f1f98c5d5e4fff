"""Storage of uploaded files: their bytes in GridFS (the default bucket: ``fs.files`` and
``fs.chunks``, the file's id as GridFS ``_id``), what staff and pages need to know about
them in ``files`` (with the outbox of their events). An upload is announced in ``files``
(``uploading_since``) before its first byte is written and completed with its event after
the last, so bytes a killed process left are found and removed (``abandoned``). A deleted
file keeps its ``files`` document as a tombstone (``deleted_at``, carrying the
``file.deleted`` event); its bytes go.

The MongoDB-wire server takes everything used here (GridFS's own index creation on the
first upload, ``abort`` of a half-written upload, ranged reads)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent
from nkohub_publishing.domain import Document
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

CHUNK_BYTES = 255 * 1024  # GridFS's default chunk
DONE = {"uploading_since": {"$exists": False}}  # uploaded (and perhaps deleted since)
LIVE = {"deleted_at": {"$exists": False}, **DONE}


class FileRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.files = db["files"]
        self.bucket = AsyncGridFSBucket(db, chunk_size_bytes=CHUNK_BYTES)
        self.writer = outbox.writer(self.files)
        self.blobs = db["fs.files"]
        self.chunks = db["fs.chunks"]
        self.posts = db["posts"]
        self.documents = db["documents"]
        self.competitions = db["competitions"]

    # ------------------------------------------------------------ bytes

    async def store_bytes(self, file_id: str, name: str, chunks: AsyncIterator[bytes]) -> None:
        """Write ``chunks`` to GridFS as they come. If reading them fails (a refusal, a
        client gone), what was written is removed — no orphan chunks — and the error
        goes on."""
        stream = self.bucket.open_upload_stream_with_id(file_id, name)
        try:
            async for chunk in chunks:
                await stream.write(chunk)
        except BaseException:
            await stream.abort()
            raise
        await stream.close()

    async def read_bytes(
        self, file_id: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """The bytes ``start``…``end`` (inclusive; ``None``: to the end), chunk by chunk."""
        stream = await self.bucket.open_download_stream(file_id)
        try:
            last = stream.length - 1 if end is None else min(end, stream.length - 1)
            if start:
                await stream.seek(start)
            left = last - start + 1
            while left > 0:
                chunk = await stream.readchunk()
                if not chunk:
                    break
                chunk = chunk[:left]
                left -= len(chunk)
                yield chunk
        finally:
            await stream.close()

    async def has_bytes(self, file_id: str) -> bool:
        try:
            await (await self.bucket.open_download_stream(file_id)).close()
        except NoFile:
            return False
        return True

    async def delete_bytes(self, file_id: str) -> None:
        with contextlib.suppress(NoFile):  # already gone (a delete retried after a crash)
            await self.bucket.delete(file_id)

    # ------------------------------------------------------------ records

    async def begin(self, file_id: str, now: datetime) -> None:
        await self.files.insert_one({"_id": file_id, "uploading_since": now})

    async def complete(self, file: Document, event: CloudEvent) -> Document | None:
        """The upload's record, with its event: once, and only for an upload in progress."""
        fields = {k: v for k, v in file.items() if k != "_id"}
        return await self.writer.find_and_update(
            {"_id": file["_id"], "uploading_since": {"$exists": True}},
            {"$set": fields, "$unset": {"uploading_since": ""}},
            event,
        )

    async def forget(self, file_id: str) -> None:
        """An upload that did not finish: its chunks (with or without their GridFS file
        document) and its record."""
        await self.chunks.delete_many({"files_id": file_id})
        await self.blobs.delete_one({"_id": file_id})
        await self.files.delete_one({"_id": file_id, "uploading_since": {"$exists": True}})

    async def abandoned(self, before: datetime, limit: int = 100) -> list[str]:
        """Uploads begun before ``before`` and never completed (their process died)."""
        cursor = self.files.find({"uploading_since": {"$lt": before}}, {"_id": 1}).limit(limit)
        return [d["_id"] async for d in cursor]

    async def get(self, file_id: str, *, with_deleted: bool = False) -> Document | None:
        query: Document = {"_id": file_id, **(DONE if with_deleted else LIVE)}
        return await self.files.find_one(query, WITHOUT_OUTBOX)

    async def many(self, file_ids: list[str]) -> dict[str, Document]:
        cursor = self.files.find({"_id": {"$in": file_ids}, **LIVE}, WITHOUT_OUTBOX)
        return {f["_id"]: f async for f in cursor}

    async def page(self, kind: str | None, limit: int, offset: int) -> tuple[list[Document], int]:
        """Live files, newest first, of one kind or all; and how many there are."""
        query: Document = {**LIVE, **({"kind": kind} if kind else {})}
        cursor = (
            self.files.find(query, WITHOUT_OUTBOX)
            .sort([("uploaded_at", DESCENDING), ("_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        items = [f async for f in cursor]
        return items, await self.files.count_documents(query)

    async def change(self, file_id: str, changes: Document) -> Document | None:
        return await self.files.find_one_and_update(
            {"_id": file_id, **LIVE},
            {"$set": changes},
            projection=WITHOUT_OUTBOX,
            return_document=ReturnDocument.AFTER,
        )

    async def mark_deleted(self, file_id: str, changes: Document, event: CloudEvent) -> bool:
        """The tombstone, with its event, once."""
        result = await self.writer.update({"_id": file_id, **LIVE}, {"$set": changes}, event)
        return bool(result.modified_count)

    # ------------------------------------------------------------ where a file is used

    async def uses(self, file_id: str) -> list[dict[str, Any]]:
        """Posts and catalogue entries that point at the file."""
        found: list[dict[str, Any]] = []
        cursor = self.posts.find({"file_ids": file_id}, {"title": 1}).limit(50)
        found += [{"kind": "post", "id": p["_id"], "title": p["title"]} async for p in cursor]
        for kind, collection, title in (
            ("document", self.documents, "title"),
            ("competition", self.competitions, "name"),
        ):
            cursor = collection.find({"file_id": file_id}, {title: 1}).limit(50)
            found += [{"kind": kind, "id": d["_id"], "title": d[title]} async for d in cursor]
        return found
