"""``template_overrides``: staff's version of a template (one document per template name,
with a version that grows with every save and reset — a reset keeps the document,
``active: false``, so that a version number never comes back); ``template_history``:
every save, restore and reset, with who and when and the parts saved (so an earlier
version can be restored).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from nkohub_shared.ids import new_id
from nkohub_shared.storage.writer import Document

OVERRIDES = "template_overrides"
HISTORY = "template_history"
HISTORY_INDEXES = [IndexModel([("template", 1), ("at", DESCENDING)])]
HISTORY_KEPT = 50
ACTIVE = {"active": True}


class TemplateRepository:
    def __init__(
        self, overrides: AsyncCollection[Document], history: AsyncCollection[Document]
    ) -> None:
        self._overrides = overrides
        self._history = history

    async def all(self) -> list[Document]:
        return [d async for d in self._overrides.find(ACTIVE)]

    async def versions(self) -> dict[str, int]:
        """Each template's version, reset ones too: the cheap check of a change."""
        cursor = self._overrides.find({}, {"version": 1})
        return {d["_id"]: d["version"] async for d in cursor}

    async def get(self, name: str) -> Document | None:
        return await self._overrides.find_one({"_id": name, **ACTIVE})

    async def save(
        self, name: str, parts: dict[str, str], *, by: str, at: datetime, action: str
    ) -> Document:
        """Store the parts as the override (its version + 1) and the history entry."""
        saved = await self._overrides.find_one_and_update(
            {"_id": name},
            {
                "$set": {**parts, "active": True, "saved_at": at, "saved_by": by},
                "$inc": {"version": 1},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        await self._record(name, action, by, at, parts=parts, version=saved["version"])
        return saved

    async def delete(self, name: str, *, by: str, at: datetime) -> bool:
        """Back to the default; ``False`` when there was no override."""
        result = await self._overrides.update_one(
            {"_id": name, **ACTIVE},
            {"$set": {"active": False, "saved_at": at, "saved_by": by}, "$inc": {"version": 1}},
        )
        if result.modified_count:
            await self._record(name, "reset", by, at)
        return bool(result.modified_count)

    async def history(self, name: str, limit: int = HISTORY_KEPT) -> list[Document]:
        cursor = self._history.find({"template": name}).sort("at", DESCENDING).limit(limit)
        return [d async for d in cursor]

    async def entry(self, name: str, entry_id: str) -> Document | None:
        return await self._history.find_one({"_id": entry_id, "template": name})

    async def _record(
        self,
        name: str,
        action: str,
        by: str,
        at: datetime,
        *,
        parts: dict[str, str] | None = None,
        version: int | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "_id": new_id(),
            "template": name,
            "action": action,
            "by": by,
            "at": at,
            "version": version,
            **(parts or {}),
        }
        await self._history.insert_one(entry)
