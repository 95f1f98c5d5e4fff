"""Notifications: the delivery log, retries, recipients, templates staff edit, alert
settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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
        return await self.get(f"/staff/templates/{quote(name)}/preview")

    async def template(self, name: str) -> Json:
        return await self.get(f"/staff/templates/{quote(name)}")

    async def preview_draft(self, name: str, draft: Json) -> Json:
        return await self.post(f"/staff/templates/{quote(name)}/preview", draft)

    async def save_template(self, name: str, draft: Json) -> Json:
        return await self.put(f"/staff/templates/{quote(name)}", draft)

    async def reset_template(self, name: str) -> None:
        await self.delete(f"/staff/templates/{quote(name)}")

    async def template_history(self, name: str) -> list[Json]:
        return await self.get(f"/staff/templates/{quote(name)}/history")

    async def restore_template(self, name: str, entry_id: str) -> Json:
        return await self.post(f"/staff/templates/{quote(name)}/history/{quote(entry_id)}/restore")

    async def alert_settings(self) -> Json:
        return await self.get("/staff/alerts")

    async def save_alert_settings(self, settings: Json) -> Json:
        return await self.put("/staff/alerts", settings)

    # --- mailings ----------------------------------------------------------------------

    async def mailings(self, status: str | None = None, limit: int = 50, offset: int = 0) -> Json:
        return await self.get(
            "/staff/mailings", {"status": status, "limit": limit, "offset": offset}
        )

    async def mailing(self, mailing_id: str) -> Json:
        """The mailing with its ``progress`` (messages by status)."""
        return await self.get(f"/staff/mailings/{quote(mailing_id)}")

    async def create_mailing(self, draft: Json) -> Json:
        return await self.post("/staff/mailings", draft)

    async def change_mailing(self, mailing_id: str, changes: Json) -> Json:
        return await self.patch(f"/staff/mailings/{quote(mailing_id)}", changes)

    async def segment_audience(self, segment: Json) -> Json:
        """How many a segment mails (``included``) and who it leaves out, and why."""
        return await self.post("/staff/mailings/audience", segment)

    async def mailing_audience(self, mailing_id: str) -> Json:
        return await self.get(f"/staff/mailings/{quote(mailing_id)}/audience")

    async def mailing_preview(self, mailing_id: str) -> Json:
        """``subject``, ``text`` and ``html`` as a recipient sees them."""
        return await self.get(f"/staff/mailings/{quote(mailing_id)}/preview", {"format": "json"})

    async def test_mailing(self, mailing_id: str, email: str) -> Json:
        return await self.post(f"/staff/mailings/{quote(mailing_id)}/test", {"email": email})

    async def send_mailing(self, mailing_id: str, send_at: str | None) -> Json:
        return await self.post(f"/staff/mailings/{quote(mailing_id)}/send", {"send_at": send_at})

    async def cancel_mailing(self, mailing_id: str) -> Json:
        return await self.post(f"/staff/mailings/{quote(mailing_id)}/cancel")
