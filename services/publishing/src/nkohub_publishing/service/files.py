"""Files: upload (type by content, size by kind, while the bytes arrive), list, change,
delete (refused while something points at the file), read for serving."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from nkohub_publishing.domain import Document
from nkohub_publishing.domain import files as rules
from nkohub_publishing.domain.clock import now_utc
from nkohub_publishing.domain.files import FileFields, FileType, SizeLimits
from nkohub_publishing.repository import FileRepository
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.ids import new_id


@dataclass
class _Inspection:
    """What is learned about a file while its bytes pass: type, size, hash, head, tail."""

    limits: SizeLimits
    file_type: FileType | None = None
    size: int = 0
    head: bytearray = field(default_factory=bytearray)
    tail: bytes = b""
    sha256: hashlib._Hash = field(default_factory=hashlib.sha256)

    def take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.sha256.update(chunk)
        if len(self.head) < rules.HEAD_BYTES:
            self.head += chunk[: rules.HEAD_BYTES - len(self.head)]
        self.tail = (self.tail + chunk)[-rules.TAIL_BYTES :]
        if self.file_type is None and len(self.head) >= rules.SNIFF_BYTES:
            self.decide()
        limit = self.limits.of(self.file_type.kind) if self.file_type else self.limits.largest
        if self.size > limit:
            raise rules.too_large(self.file_type.kind if self.file_type else None, limit)

    def decide(self) -> FileType:
        self.file_type = rules.sniff(bytes(self.head))
        rules.check_head(self.file_type, bytes(self.head))
        return self.file_type


class FileService:
    def __init__(self, repository: FileRepository, limits: SizeLimits, base_url: str) -> None:
        self.repository = repository
        self.limits = limits
        self.base_url = base_url

    async def upload(
        self,
        chunks: AsyncIterator[bytes],
        *,
        filename: str | None,
        fields: dict[str, str],
        actor: str,
    ) -> Document:
        """Store the bytes as they arrive, refusing (and removing what was written) as
        soon as the type or the size is wrong; then the record with its event. ``fields``
        (``title``, ``alt``) may still fill while the bytes arrive."""
        file_id = new_id()
        seen = _Inspection(self.limits)

        async def inspected() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                seen.take(chunk)
                yield chunk
            if seen.size == 0:
                raise InvalidInput("файл пуст", field="file")
            file_type = seen.file_type or seen.decide()
            rules.check_tail(file_type, seen.tail, seen.size)
            if file_type is rules.WEBP:
                rules.check_webp_size(bytes(seen.head), seen.size)
            rules.dimensions(file_type, bytes(seen.head))

        await self.repository.begin(file_id, now_utc())
        try:
            await self.repository.store_bytes(file_id, filename or "file", inspected())
        except BaseException:
            await self.repository.forget(file_id)
            raise
        file_type = seen.file_type
        assert file_type is not None
        file = rules.new_file(
            file_id=file_id,
            file_type=file_type,
            name=rules.display_name(filename, file_type),
            size=seen.size,
            sha256=seen.sha256.hexdigest(),
            size_px=rules.dimensions(file_type, bytes(seen.head)),
            title=fields.get("title"),
            alt=fields.get("alt"),
            actor=actor,
            now=now_utc(),
        )
        stored = await self.repository.complete(file, rules.uploaded_event(file, self.base_url))
        if stored is None:  # swept as abandoned meanwhile (an upload slower than the sweep)
            raise Conflict("загрузка прервана, загрузите файл снова", field="file")
        return stored

    async def remove_abandoned(self, before: datetime) -> list[str]:
        """Uploads begun before ``before`` that never finished (a process killed mid-way):
        their chunks and records go."""
        gone = await self.repository.abandoned(before)
        for file_id in gone:
            await self.repository.forget(file_id)
        return gone

    async def get(self, file_id: str) -> Document:
        file = await self.repository.get(file_id)
        if file is None:
            raise NotFound(f"нет файла {file_id}", field="file_id")
        return file

    async def find(self, file_id: str) -> Document | None:
        return await self.repository.get(file_id)

    async def page(self, kind: str | None, limit: int, offset: int) -> tuple[list[Document], int]:
        return await self.repository.page(kind, limit, offset)

    async def update(self, file_id: str, fields: FileFields) -> Document:
        changed = await self.repository.change(file_id, rules.file_changes(fields, now_utc()))
        if changed is None:
            raise NotFound(f"нет файла {file_id}", field="file_id")
        return changed

    async def delete(self, file_id: str, *, actor: str) -> None:
        """Refused (409, naming the posts and entries) while anything points at the file;
        else a tombstone with ``file.deleted`` and the bytes removed. Retried after a crash
        between the two, it removes the bytes."""
        file = await self.repository.get(file_id, with_deleted=True)
        if file is None:
            raise NotFound(f"нет файла {file_id}", field="file_id")
        if "deleted_at" not in file:
            uses = await self.repository.uses(file_id)
            if uses:
                raise rules.in_use(file, uses)
            now = now_utc()
            changes = {"deleted_at": now, "deleted_by": actor, "updated_at": now}
            await self.repository.mark_deleted(file_id, changes, rules.deleted_event(file, actor))
        await self.repository.delete_bytes(file_id)

    def read(self, file_id: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        return self.repository.read_bytes(file_id, start, end)

    async def usable(self, file_id: str, *, field: str, image: bool) -> Document:
        """A live file a post or an entry may point at (``InvalidInput`` naming ``field``)."""
        return rules.check_usable(
            await self.repository.get(file_id), file_id, field=field, image=image
        )
