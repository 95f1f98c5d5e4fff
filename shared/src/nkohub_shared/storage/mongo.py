"""One ``AsyncMongoClient`` per process; indexes are created at start-up.

Only what MongoDB 7 and the no-Docker test server (mongo-java-server) both support is
used: single-document atomic writes, no transactions, change streams, ``$text`` or TTL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


def create_client(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
    )


async def ensure_indexes(
    db: AsyncDatabase[Document], indexes: Mapping[str, Sequence[IndexModel]]
) -> None:
    for collection, models in indexes.items():
        if models:
            await db[collection].create_indexes(list(models))


async def ping_database(db: AsyncDatabase[Document]) -> None:
    await db.command("ping")
