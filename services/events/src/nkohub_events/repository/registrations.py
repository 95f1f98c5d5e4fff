"""Registrations in MongoDB: one per (meetup, normalised e-mail), a unique index makes a
second registration of the same address impossible."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_events.domain.audit import HISTORY_FIELD, HISTORY_LIMIT
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

Document = dict[str, Any]
DUPLICATE_KEY = 11000


def _with_history(update: Document, history: Document | None) -> Document:
    """``update`` that also appends ``history`` to the record's bounded history."""
    if history is None:
        return update
    return {**update, "$push": {HISTORY_FIELD: {"$each": [history], "$slice": -HISTORY_LIMIT}}}


class RegistrationRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["registrations"]
        self.writer = outbox.writer(self.collection)
        # the new registrations of one moment (a rush) are one unordered insert_many
        self._inserts = GroupWrite(self._insert_group, max_items=500)

    async def get(self, registration_id: str) -> Document | None:
        return await self.collection.find_one({"_id": registration_id}, WITHOUT_OUTBOX)

    async def by_email_key(self, meetup_id: str, email_key: str) -> Document | None:
        return await self.collection.find_one(
            {"meetup_id": meetup_id, "email_key": email_key}, WITHOUT_OUTBOX
        )

    async def by_short_code(self, meetup_id: str, code: str) -> Document | None:
        return await self.collection.find_one(
            {"meetup_id": meetup_id, "short_code": code}, WITHOUT_OUTBOX
        )

    async def of_meetup(self, meetup_id: str, registration_id: str) -> Document | None:
        return await self.collection.find_one(
            {"_id": registration_id, "meetup_id": meetup_id}, WITHOUT_OUTBOX
        )

    async def all_of_meetup(self, meetup_id: str) -> list[Document]:
        return [r async for r in self.collection.find({"meetup_id": meetup_id}, WITHOUT_OUTBOX)]

    async def insert_pending(self, registration: Document) -> None:
        """``DuplicateKeyError`` when the address is registered for the meetup already."""
        await self._inserts(registration)

    async def _insert_group(self, documents: list[Document]) -> list[Exception | None]:
        """Each document inserted as alone; a duplicate key fails only its own insert."""
        try:
            await self.collection.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            results: list[Exception | None] = [None] * len(documents)
            for error in exc.details.get("writeErrors", []):
                message = error.get("errmsg", "write failed")
                if error.get("code") == DUPLICATE_KEY:
                    results[int(error["index"])] = DuplicateKeyError(message, DUPLICATE_KEY)
                else:
                    results[int(error["index"])] = RuntimeError(message)
            return results
        return [None] * len(documents)

    async def insert_settled(self, registration: Document, *events: CloudEvent) -> None:
        """A registration confirmed from the start (a walk-in) with its events;
        ``DuplicateKeyError`` when the address is registered for the meetup already."""
        await self.writer.insert(registration, *events)

    async def restart(
        self, registration_id: str, fields: Document, history: Document | None = None
    ) -> Document | None:
        """A cancelled registration, pending again with ``fields``; ``None`` if it is not
        cancelled (any more)."""
        return await self.collection.find_one_and_update(
            {"_id": registration_id, "status": "cancelled"},
            _with_history({"$set": fields}, history),
            projection=WITHOUT_OUTBOX,
            return_document=ReturnDocument.AFTER,
        )

    async def move(
        self,
        registration_id: str,
        from_status: str,
        fields: Document,
        *events: CloudEvent,
        history: Document | None = None,
    ) -> Document | None:
        """Set ``fields`` with ``events`` if the registration is still ``from_status``;
        the registration after, or ``None``."""
        return await self.writer.find_and_update(
            {"_id": registration_id, "status": from_status},
            _with_history({"$set": fields}, history),
            *events,
        )

    async def delete_pending(self, registration_id: str) -> None:
        await self.collection.delete_one({"_id": registration_id, "status": "pending"})

    async def pending_since_before(self, moment: datetime) -> list[Document]:
        cursor = self.collection.find(
            {"status": "pending", "created_at": {"$lt": moment}}, WITHOUT_OUTBOX
        )
        return [r async for r in cursor]

    async def among(self, ids: list[str], statuses: list[str]) -> list[Document]:
        cursor = self.collection.find(
            {"_id": {"$in": ids}, "status": {"$in": statuses}}, WITHOUT_OUTBOX
        )
        return [r async for r in cursor]

    async def search(
        self,
        meetup_id: str,
        *,
        status: str | None = None,
        role: str | None = None,
        organization_id: str | None = None,
        text: str | None = None,
        limit: int = 0,
    ) -> list[Document]:
        """In order of registration; ``no_show`` means confirmed and never checked in;
        ``text`` is a normalised substring of name, e-mail and organization; ``limit``
        (0: all) bounds the answer."""
        query: Document = {"meetup_id": meetup_id}
        if status == "no_show":
            query.update(status="confirmed", no_show=True)
        elif status:
            query["status"] = status
        if role:
            query["role"] = role
        if organization_id:
            query["organization_id"] = organization_id
        if text:
            query["search"] = {"$regex": re.escape(text)}
        cursor = self.collection.find(query, WITHOUT_OUTBOX).sort("created_at", 1).limit(limit)
        return [r async for r in cursor]

    async def checked_in(
        self, registration_id: str, at: datetime, history: Document | None = None
    ) -> Document | None:
        return await self.collection.find_one_and_update(
            {"_id": registration_id},
            _with_history({"$set": {"checked_in_at": at, "no_show": False}}, history),
            return_document=ReturnDocument.AFTER,
            projection=WITHOUT_OUTBOX,
        )

    async def checked_in_if_not_yet(
        self, registration_id: str, at: datetime, history: Document | None = None
    ) -> None:
        await self.collection.update_one(
            {"_id": registration_id, "checked_in_at": None},
            _with_history({"$set": {"checked_in_at": at, "no_show": False}}, history),
        )

    async def mark_no_shows(self, meetup_id: str) -> None:
        """Confirmed registrations never checked in (idempotent)."""
        await self.collection.update_many(
            {"meetup_id": meetup_id, "status": "confirmed", "checked_in_at": None},
            {"$set": {"no_show": True}},
        )

    async def count_confirmed(self, meetup_id: str, *, no_show: bool = False) -> int:
        query: Document = {"meetup_id": meetup_id, "status": "confirmed"}
        if no_show:
            query["no_show"] = True
        return await self.collection.count_documents(query)

    async def ids_of_people(self, person_keys: list[str]) -> list[str]:
        cursor = self.collection.find({"person_key": {"$in": person_keys}}, {"_id": 1})
        return [r["_id"] async for r in cursor]

    async def released(self, registration_id: str) -> None:
        """A cancelled registration gave its place back: the mark goes."""
        await self.collection.update_one({"_id": registration_id}, {"$unset": {"releasing": ""}})

    async def set(self, registration_id: str, fields: Document) -> None:
        await self.collection.update_one({"_id": registration_id}, {"$set": fields})
