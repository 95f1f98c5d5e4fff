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


def create_client(
    url: str,
    *,
    timeout_ms: int = 5000,
    socket_timeout_ms: int = 20000,
    operation_timeout_ms: int = 0,
    event_listeners: Sequence[Any] = (),
) -> AsyncMongoClient[Document]:
    """The process's client; no operation can wait on a silent server forever.

    - ``timeout_ms``: finding a server and opening a connection (an unreachable server
      fails within it: ``ServerSelectionTimeoutError``);
    - ``socket_timeout_ms``: one read on an open connection (a stalled server fails
      within it: ``NetworkTimeout``); it must exceed the slowest legitimate query;
    - ``operation_timeout_ms``: PyMongo's ``timeoutMS``, the budget of a whole operation
      including its retries; 0 leaves it off, because it also bounds the lifetime of a
      cursor (a relay sweep or an export that iterates longer would be cut off);
    - ``event_listeners``: PyMongo listeners of this client only (the runtime's write
      clock, ``nkohub_shared.web.caching``).
    """
    options: dict[str, Any] = {}
    if operation_timeout_ms > 0:
        options["timeoutMS"] = operation_timeout_ms
    return AsyncMongoClient(
        url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=socket_timeout_ms,
        event_listeners=list(event_listeners),
        **options,
    )


async def ensure_indexes(
    db: AsyncDatabase[Document], indexes: Mapping[str, Sequence[IndexModel]]
) -> None:
    for collection, models in indexes.items():
        if models:
            await db[collection].create_indexes(list(models))


async def ping_database(db: AsyncDatabase[Document]) -> None:
    await db.command("ping")
