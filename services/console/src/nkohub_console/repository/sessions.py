"""Console sessions (collection ``sessions``), keyed by the SHA-256 of the cookie's token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

SESSIONS = "sessions"
Document = dict[str, Any]


class SessionRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db[SESSIONS]

    async def insert(self, session: Document) -> None:
        await self._sessions.insert_one(session)

    async def get(self, digest: str) -> Document | None:
        return await self._sessions.find_one({"_id": digest})

    async def touch(self, digest: str, now: datetime) -> None:
        await self._sessions.update_one({"_id": digest}, {"$set": {"seen_at": now}})

    async def delete(self, digest: str) -> None:
        await self._sessions.delete_one({"_id": digest})

    async def delete_of_account(self, account_id: str, *, keep: str | None = None) -> int:
        """End every session of the account (but ``keep``, the one in use)."""
        query: Document = {"account_id": account_id}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        return (await self._sessions.delete_many(query)).deleted_count

    async def purge(self, now: datetime) -> int:
        return (await self._sessions.delete_many({"expires_at": {"$lt": now}})).deleted_count
