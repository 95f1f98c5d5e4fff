"""Staff accounts (collection ``accounts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_shared.errors import Conflict, NotFound

ACCOUNTS = "accounts"
Document = dict[str, Any]


class AccountRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._accounts = db[ACCOUNTS]

    async def insert(self, account: Document) -> Document:
        try:
            await self._accounts.insert_one(account)
        except DuplicateKeyError:
            raise Conflict("учётная запись с этим адресом уже есть", field="email") from None
        return account

    async def get(self, account_id: str) -> Document:
        found = await self._accounts.find_one({"_id": account_id})
        if found is None:
            raise NotFound("нет такой учётной записи", field="account")
        return found

    async def find(self, account_id: str) -> Document | None:
        return await self._accounts.find_one({"_id": account_id})

    async def by_email_key(self, key: str) -> Document | None:
        return await self._accounts.find_one({"email_key": key})

    async def all(self) -> list[Document]:
        cursor = self._accounts.find({}).sort([("active", -1), ("name", ASCENDING)])
        return [doc async for doc in cursor]

    async def names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        cursor = self._accounts.find({"_id": {"$in": sorted(ids)}}, {"name": 1})
        return {doc["_id"]: doc["name"] async for doc in cursor}

    async def count_admins(self) -> int:
        return await self._accounts.count_documents({"role": "admin", "active": True})

    async def set_fields(self, account_id: str, fields: Document) -> Document:
        found = await self._accounts.find_one_and_update(
            {"_id": account_id}, {"$set": fields}, return_document=ReturnDocument.AFTER
        )
        if found is None:
            raise NotFound("нет такой учётной записи", field="account")
        return found

    async def deactivate(self, account_id: str, now: datetime) -> Document | None:
        """Deactivate an active account; ``None`` when it was not active."""
        return await self._accounts.find_one_and_update(
            {"_id": account_id, "active": True},
            {"$set": {"active": False, "deactivated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
