"""``subscribers``: recipients and their preferences."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from nkohub_notifications.domain.messages import Channel
from nkohub_notifications.domain.subscribers import (
    ADDRESS_FIELD,
    SubscriberStatus,
    Topic,
)
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.writer import Document

COLLECTION = "subscribers"
INDEXES = [
    IndexModel([("person_key", ASCENDING)], unique=True),
    IndexModel([("status", ASCENDING)]),
]


def followers_query(topic: Topic, channel: Channel) -> Document:
    """The filter equivalent of ``domain.subscribers.follows`` (for fan-out)."""
    return {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        f"topics.{topic.value}.{channel.value}": True,
        ADDRESS_FIELD[channel]: {"$ne": None},
    }


class SubscriberRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._subscribers = collection
        # the sender asks for each message's subscriber: the asks of its workers at one
        # moment are one query
        self._by_person = GroupWrite(self._of_people, max_items=200)

    async def get(self, subscriber_id: str) -> Document | None:
        return await self._subscribers.find_one({"_id": subscriber_id})

    async def of_person(self, person_key: str) -> Document | None:
        return await self._by_person(person_key)

    async def _of_people(self, person_keys: list[str]) -> list[Document | None]:
        found = {
            doc["person_key"]: doc
            async for doc in self._subscribers.find({"person_key": {"$in": list(set(person_keys))}})
        }
        return [found.get(key) for key in person_keys]

    async def insert(self, document: Document) -> bool:
        """Whether it was inserted (``False``: the person already has a subscriber)."""
        try:
            await self._subscribers.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def insert_if_absent(self, person_key: str, document: Document) -> bool:
        """Insert unless the person has a subscriber (whose choices stay untouched);
        whether it was inserted."""
        with contextlib.suppress(DuplicateKeyError):
            result = await self._subscribers.update_one(
                {"person_key": person_key}, {"$setOnInsert": document}, upsert=True
            )
            return result.upserted_id is not None
        return False

    async def claim_confirmation_mail(
        self, subscriber_id: str, at: datetime, *, sent_before: datetime
    ) -> bool:
        """Take the right to mail a confirmation now: only if none was mailed since
        ``sent_before`` (atomic, so concurrent requests on any replica send one)."""
        result = await self._subscribers.update_one(
            {
                "_id": subscriber_id,
                "$or": [
                    {"confirm_sent_at": None},
                    {"confirm_sent_at": {"$lt": sent_before}},
                ],
            },
            {"$set": {"confirm_sent_at": at}},
        )
        return bool(result.modified_count)

    async def update(
        self,
        subscriber_id: str,
        fields: Document,
        *,
        unset: tuple[str, ...] = (),
        log: Document | None = None,
        log_keep: int = 50,
    ) -> Document | None:
        """Set ``fields`` (and remove ``unset``, and add ``log`` to the consent log); the
        subscriber after, or ``None``."""
        update: Document = {"$set": fields}
        if unset:
            update["$unset"] = dict.fromkeys(unset, "")
        if log is not None:
            update["$push"] = {"consent_log": {"$each": [log], "$slice": -log_keep}}
        return await self._subscribers.find_one_and_update(
            {"_id": subscriber_id}, update, return_document=ReturnDocument.AFTER
        )

    async def confirm_pending(
        self,
        subscriber_id: str,
        fields: Document,
        *,
        unset: tuple[str, ...],
        log: Document | None = None,
    ) -> Document | None:
        """Apply a confirmation only while its request is still pending (atomic: an
        unsubscribe in between wins); the subscriber after, or ``None``."""
        update: Document = {"$set": fields, "$unset": dict.fromkeys(unset, "")}
        if log is not None:
            update["$push"] = {"consent_log": {"$each": [log], "$slice": -50}}
        return await self._subscribers.find_one_and_update(
            {"_id": subscriber_id, "pending_topics": {"$ne": None}},
            update,
            return_document=ReturnDocument.AFTER,
        )

    async def of_people(self, person_keys: list[str]) -> dict[str, Document]:
        """Subscribers of these people, by person key."""
        found: dict[str, Document] = {}
        for start in range(0, len(person_keys), 1000):
            batch = person_keys[start : start + 1000]
            async for sub in self._subscribers.find({"person_key": {"$in": batch}}):
                found[sub["person_key"]] = sub
        return found

    async def of_ids(self, subscriber_ids: list[str]) -> list[Document]:
        return [s async for s in self._subscribers.find({"_id": {"$in": subscriber_ids}})]

    async def choosing(self, topic: Topic) -> AsyncIterator[Document]:
        """Everyone who ever chose ``topic`` by e-mail, whatever their status now."""
        async for subscriber in self._subscribers.find({f"topics.{topic.value}.email": True}):
            yield subscriber

    async def followers(self, topic: Topic, channel: Channel) -> AsyncIterator[Document]:
        async for subscriber in self._subscribers.find(followers_query(topic, channel)):
            yield subscriber

    async def page(
        self,
        *,
        status: SubscriberStatus | None,
        topic: Topic | None,
        person_key: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Document], int]:
        """Subscribers (newest first) and how many match."""
        query: dict[str, Any] = {}
        if status:
            query["status"] = status.value
        if topic:
            query[f"topics.{topic.value}.email"] = True
        if person_key:
            query["person_key"] = person_key
        cursor = self._subscribers.find(query).sort("created_at", -1).skip(offset).limit(limit)
        items = [doc async for doc in cursor]
        return items, await self._subscribers.count_documents(query)

    async def delete(self, subscriber_id: str) -> bool:
        result = await self._subscribers.delete_one({"_id": subscriber_id})
        return bool(result.deleted_count)

    async def delete_of_people(self, person_keys: list[str]) -> int:
        result = await self._subscribers.delete_many({"person_key": {"$in": person_keys}})
        return result.deleted_count
