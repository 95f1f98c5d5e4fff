"""Failed logins per login address (collection ``login_failures``), keyed by a pseudonym
of the address, so the console never keeps the addresses strangers typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.privacy import pseudonym

LOGIN_FAILURES = "login_failures"
Document = dict[str, Any]


class LoginFailureRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._failures = db[LOGIN_FAILURES]

    @staticmethod
    def _key(email_key: str) -> str:
        return pseudonym(f"console-login:{email_key}")

    async def get(self, email_key: str) -> Document | None:
        return await self._failures.find_one({"_id": self._key(email_key)})

    async def count_failure(self, email_key: str, now: datetime) -> int:
        """One more failure, counted atomically (concurrent attempts are all counted)."""
        doc = await self._failures.find_one_and_update(
            {"_id": self._key(email_key)},
            {"$inc": {"failures": 1}, "$set": {"at": now}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["failures"])

    async def block(self, email_key: str, until: datetime | None) -> None:
        await self._failures.update_one(
            {"_id": self._key(email_key)}, {"$set": {"blocked_until": until}}
        )

    async def clear(self, email_key: str) -> None:
        await self._failures.delete_one({"_id": self._key(email_key)})

    async def client_failures(self, client: str, window: int) -> int:
        doc = await self._failures.find_one({"_id": self._client_key(client, window)})
        return int(doc["failures"]) if doc else 0

    async def count_client_failure(self, client: str, window: int, now: datetime) -> int:
        doc = await self._failures.find_one_and_update(
            {"_id": self._client_key(client, window)},
            {"$inc": {"failures": 1}, "$set": {"at": now}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["failures"])

    @staticmethod
    def _client_key(client: str, window: int) -> str:
        return pseudonym(f"console-login-client:{client}") + f"|{window}"

    async def purge(self, before: datetime) -> int:
        """Forget failures older than ``before`` (an address blocked until later stays)."""
        result = await self._failures.delete_many(
            {
                "at": {"$lt": before},
                "$or": [{"blocked_until": None}, {"blocked_until": {"$lt": before}}],
            }
        )
        return result.deleted_count
