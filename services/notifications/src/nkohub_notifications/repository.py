"""MongoDB storage of the notifications service (its own database, `nkohub_notifications`).

Collections:
- ``messages``: every outbound message, stored before it is sent; carries the outbox of
  ``notifications.message.sent/failed``;
- ``subscribers``: recipients and their preferences;
- ``meetups``, ``registrations``: a local read model built from the events service's events;
- ``reminders``: scheduled reminders per registration and offset;
- ``posts``, ``digests``: blog posts awaiting the daily digest and the digests done.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

MESSAGES = "messages"
SUBSCRIBERS = "subscribers"
MEETUPS = "meetups"
REGISTRATIONS = "registrations"
REMINDERS = "reminders"
POSTS = "posts"
DIGESTS = "digests"

INDEXES: dict[str, list[IndexModel]] = {
    MESSAGES: [
        IndexModel([("key", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel([("recipient_key", ASCENDING)]),
        IndexModel([("meetup_id", ASCENDING)]),
        IndexModel([("registration_id", ASCENDING)]),
        IndexModel([("created_at", DESCENDING)]),
    ],
    SUBSCRIBERS: [
        IndexModel([("person_key", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING)]),
    ],
    REGISTRATIONS: [
        IndexModel([("meetup_id", ASCENDING)]),
        IndexModel([("person_key", ASCENDING)]),
    ],
    REMINDERS: [
        IndexModel([("status", ASCENDING), ("due_at", ASCENDING)]),
        IndexModel([("registration_id", ASCENDING)]),
        IndexModel([("meetup_id", ASCENDING)]),
        IndexModel([("person_key", ASCENDING)]),
    ],
    POSTS: [IndexModel([("published_at", ASCENDING)])],
}
OUTBOX_COLLECTIONS: list[str] = [MESSAGES]

Db = AsyncDatabase[dict[str, Any]]


async def insert_messages(db: Db, documents: list[dict[str, Any]]) -> int:
    """Insert messages; one whose idempotency key exists is skipped. Returns how many new."""
    if not documents:
        return 0
    if len(documents) == 1:
        try:
            await db[MESSAGES].insert_one(documents[0])
            return 1
        except DuplicateKeyError:
            return 0
    inserted = 0
    for start in range(0, len(documents), 500):
        batch = documents[start : start + 500]
        try:
            result = await db[MESSAGES].insert_many(batch, ordered=False)
            inserted += len(result.inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            # not nInserted: the MongoDB-wire test server counts the refused ones in it
            inserted += len(batch) - len(errors)
    return inserted
