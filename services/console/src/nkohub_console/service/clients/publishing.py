"""Publishing: posts, the grants calendar, foundations and documents, statistics."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from nkohub_console.service.clients.base import ServiceClient

Json = dict[str, Any]
CATALOGUES = ("competitions", "foundations", "documents")


class PublishingClient(ServiceClient):
    service = "publishing"

    async def posts(self, status: str | None = None, limit: int = 100, offset: int = 0) -> Json:
        return await self.get("/posts", {"status": status, "limit": limit, "offset": offset})

    async def post_of(self, post_id: str) -> Json:
        return await self.get(f"/posts/{post_id}")

    async def create_post(self, fields: Json) -> Json:
        return await self.post("/posts", fields)

    async def update_post(self, post_id: str, fields: Json) -> Json:
        return await self.patch(f"/posts/{post_id}", fields)

    async def publish_post(self, post_id: str) -> Json:
        return await self.post(f"/posts/{post_id}/publish")

    async def schedule_post(self, post_id: str, publish_at: str) -> Json:
        return await self.post(f"/posts/{post_id}/schedule", {"publish_at": publish_at})

    async def unpublish_post(self, post_id: str, to: str = "draft") -> Json:
        return await self.post(f"/posts/{post_id}/unpublish", {"to": to})

    async def delete_post(self, post_id: str) -> None:
        await self.delete(f"/posts/{post_id}")

    async def categories(self) -> list[Json]:
        return await self.get("/categories")

    async def catalogue(self, kind: str) -> list[Json]:
        return await self.get(f"/{_kind(kind)}")

    async def catalogue_item(self, kind: str, item_id: str) -> Json:
        return await self.get(f"/{_kind(kind)}/{item_id}")

    async def add_to_catalogue(self, kind: str, fields: Json) -> Json:
        return await self.post(f"/{_kind(kind)}", fields)

    async def update_catalogue_item(self, kind: str, item_id: str, fields: Json) -> Json:
        return await self.patch(f"/{_kind(kind)}/{item_id}", fields)

    async def delete_catalogue_item(self, kind: str, item_id: str) -> None:
        await self.delete(f"/{_kind(kind)}/{item_id}")

    # ------------------------------------------------------------ files

    async def files(self, kind: str | None = None, limit: int = 50, offset: int = 0) -> Json:
        """``items`` (newest first) and ``total``; ``kind``: ``image`` or ``pdf``."""
        return await self.get("/files", {"kind": kind, "limit": limit, "offset": offset})

    async def file(self, file_id: str) -> Json:
        return await self.get(f"/files/{file_id}")

    async def upload_file(self, filename: str, content: IO[bytes], fields: Json) -> Json:
        """Send an uploaded file on as it is read (``content`` is the console's spooled
        copy; nothing is held in memory); publishing decides its type by the content."""
        files = {"file": (filename, content, "application/octet-stream")}
        uploaded = (await self._send("POST", "/files", files=files)).json()
        given = {k: v for k, v in fields.items() if v}
        return await self.update_file(uploaded["id"], given) if given else uploaded

    async def update_file(self, file_id: str, fields: Json) -> Json:
        return await self.patch(f"/files/{file_id}", fields)

    async def delete_file(self, file_id: str) -> None:
        await self.delete(f"/files/{file_id}")

    async def stats(self, first_day: date, last_day: date) -> Json:
        """``posts_published`` and ``views`` in the period."""
        return await self.get("/stats", {"from": first_day.isoformat(), "to": last_day.isoformat()})


def _kind(kind: str) -> str:
    if kind not in CATALOGUES:
        raise ValueError(f"no catalogue {kind!r}")
    return kind
