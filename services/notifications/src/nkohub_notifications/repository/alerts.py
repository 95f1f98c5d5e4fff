"""``alert_settings``: one document (``_id: "alerts"``) — to whom staff alerts go, which
kinds, the waitlist threshold, and who changed them last."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.storage.writer import Document

COLLECTION = "alert_settings"
KEY = "alerts"


class AlertSettingsRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._settings = collection

    async def get(self) -> Document | None:
        return await self._settings.find_one({"_id": KEY})

    async def put(self, fields: dict[str, Any], *, by: str, at: datetime) -> None:
        await self._settings.update_one(
            {"_id": KEY}, {"$set": {**fields, "updated_by": by, "updated_at": at}}, upsert=True
        )
