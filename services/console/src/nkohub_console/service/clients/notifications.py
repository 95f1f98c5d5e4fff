"""Notifications: the delivery log, retries, recipients, template previews."""

from __future__ import annotations

from typing import Any

from nkohub_console.service.clients.base import ServiceClient

Json = dict[str, Any]


class NotificationsClient(ServiceClient):
    service = "notifications"

    async def messages(self, filters: Json, limit: int = 50, offset: int = 0) -> Json:
        return await self.get("/staff/messages", {**filters, "limit": limit, "offset": offset})

    async def message_counts(self, filters: Json) -> Json:
        return await self.get("/staff/messages/counts", filters)

    async def message(self, message_id: str) -> Json:
        return await self.get(f"/staff/messages/{message_id}")

    async def retry(self, message_id: str) -> Json:
        return await self.post(f"/staff/messages/{message_id}/retry")

    async def recipients(self, filters: Json, limit: int = 50, offset: int = 0) -> Json:
        return await self.get("/staff/recipients", {**filters, "limit": limit, "offset": offset})

    async def recipient(self, recipient_id: str) -> Json:
        return await self.get(f"/staff/recipients/{recipient_id}")

    async def templates(self) -> list[Json]:
        return await self.get("/staff/templates")

    async def preview(self, name: str) -> Json:
        return await self.get(f"/staff/templates/{name}/preview")
