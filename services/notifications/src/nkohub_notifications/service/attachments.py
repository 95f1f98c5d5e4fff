"""Mailings' attachments: copy the chosen files from the publishing service
(``GET {publishing_url}/api/v1/files/{id}/content``, no token: its files are public) into
this service's GridFS when a mailing is tested or scheduled, hand the bytes to the sender
for every message, and delete the copies ``keep`` after the mailing was sent.

A file is fetched once per mailing (a copy made for a test send serves the real one); its
bytes are read as they arrive and the download stops the moment the mailing's files
together pass the cap (``attachments_max_bytes``).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import timedelta
from typing import Any

import httpx

from nkohub_notifications.domain import attachments as rules
from nkohub_notifications.domain.clock import now
from nkohub_notifications.repository.attachments import AttachmentStore
from nkohub_notifications.repository.mailings import MailingRepository
from nkohub_shared.errors import InvalidInput

log = logging.getLogger("nkohub.notifications.attachments")

CACHE_BYTES = 64 * 1024 * 1024  # copies a process keeps in memory while a mailing goes out


class MissingCopy(LookupError):
    """A message names a copy that is gone (deleted after its mailing was sent)."""


class Attachments:
    def __init__(
        self,
        store: AttachmentStore,
        mailings: MailingRepository,
        *,
        publishing_url: str,
        cap_bytes: int = rules.DEFAULT_CAP_BYTES,
        keep: timedelta = timedelta(days=30),
        timeout: float = 30.0,
    ) -> None:
        self._store = store
        self._mailings = mailings
        self._publishing_url = publishing_url.rstrip("/")
        self._cap = cap_bytes
        self._keep = keep
        self._timeout = timeout
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cached_bytes = 0

    async def ensure_copies(self, mailing: dict[str, Any]) -> list[dict[str, Any]]:
        """The copies of the mailing's attachments, made now for those without one (422
        naming ``attachments`` for an unknown file, another type, or too many bytes);
        copies of files no longer chosen are deleted."""
        wanted: list[str] = list(mailing.get("attachments") or [])
        have = {c["file_id"]: c for c in mailing.get("attachment_copies") or []}
        if list(have) == wanted:
            return list(have.values())
        copies: list[dict[str, Any]] = []
        total = sum(have[f]["size"] for f in wanted if f in have)
        made: list[dict[str, Any]] = []
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                for file_id in wanted:
                    if file_id in have:
                        copies.append(have[file_id])
                        continue
                    copy = await self._copy(client, mailing["_id"], file_id, total)
                    made.append(copy)
                    copies.append(copy)
                    total += copy["size"]
        except (rules.AttachmentRefused, httpx.HTTPError) as exc:
            for copy in made:
                await self._store.delete(copy["stored_id"])
            if isinstance(exc, httpx.HTTPError):
                log.warning("publishing could not be reached for attachments: %r", exc)
                message = "сервис файлов не ответил; попробуйте ещё раз"
            else:
                message = str(exc)
            raise InvalidInput(message, field=rules.FIELD) from None
        for file_id, old in have.items():
            if file_id not in wanted:
                await self._store.delete(old["stored_id"])
        await self._mailings.set_copies(mailing["_id"], copies)
        return copies

    async def _copy(
        self, client: httpx.AsyncClient, mailing_id: str, file_id: str, total: int
    ) -> dict[str, Any]:
        url = f"{self._publishing_url}/api/v1/files/{file_id}/content"
        async with client.stream("GET", url) as response:
            if response.status_code == 404:
                raise rules.AttachmentRefused(f"файла {file_id} нет в публикациях")
            response.raise_for_status()
            content_type = rules.media_type(response.headers.get("content-type"))
            declared = response.headers.get("content-length")
            if declared and declared.isdigit():
                rules.check_total(total + int(declared), self._cap)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                rules.check_total(total + len(data), self._cap)
            filename = rules.filename_of(
                response.headers.get("content-disposition"), file_id, content_type
            )
        stored_id = await self._store.put(
            bytes(data), filename, {"mailing_id": mailing_id, "file_id": file_id}
        )
        return {
            "file_id": file_id,
            "stored_id": stored_id,
            "filename": filename,
            "content_type": content_type,
            "size": len(data),
        }

    async def resolved(self, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A message's attachments with the copies' bytes (``data``), for the channel;
        ``MissingCopy`` when a copy is gone."""
        out = []
        for attachment in attachments:
            if "stored_id" not in attachment:
                out.append(attachment)
                continue
            data = await self._bytes(attachment["stored_id"])
            out.append({**attachment, "data": data})
        return out

    async def _bytes(self, stored_id: str) -> bytes:
        cached = self._cache.get(stored_id)
        if cached is not None:
            self._cache.move_to_end(stored_id)
            return cached
        data = await self._store.get(stored_id)
        if data is None:
            raise MissingCopy(stored_id)
        self._cache[stored_id] = data
        self._cached_bytes += len(data)
        while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped)
        return data

    async def delete_expired(self) -> int:
        """Copies of mailings sent (or cancelled) more than ``keep`` ago; how many."""
        deleted = 0
        at = now()
        for mailing in await self._mailings.with_expired_copies(at - self._keep):
            for copy in mailing.get("attachment_copies") or []:
                await self._store.delete(copy["stored_id"])
                self._forget(copy["stored_id"])
                deleted += 1
            await self._mailings.copies_deleted(mailing["_id"], at)
        return deleted

    def _forget(self, stored_id: str) -> None:
        dropped = self._cache.pop(stored_id, None)
        if dropped is not None:
            self._cached_bytes -= len(dropped)
