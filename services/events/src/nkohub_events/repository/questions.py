"""Questions and feedback in MongoDB; each change others hear about carries its event."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_events.domain.audit import HISTORY_FIELD, HISTORY_LIMIT
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

Document = dict[str, Any]


class QuestionRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["questions"]
        self.writer = outbox.writer(self.collection)

    async def insert(self, question: Document, event: CloudEvent) -> Document:
        return await self.writer.insert(question, event)

    async def get(self, question_id: str) -> Document | None:
        return await self.collection.find_one({"_id": question_id}, WITHOUT_OUTBOX)

    async def of_meetup(self, meetup_id: str, statuses: list[str]) -> list[Document]:
        cursor = self.collection.find(
            {"meetup_id": meetup_id, "status": {"$in": statuses}}, WITHOUT_OUTBOX
        ).sort("submitted_at", 1)
        return [q async for q in cursor]

    async def move(
        self,
        question_id: str,
        from_status: str,
        fields: Document,
        *events: CloudEvent,
        history: Document | None = None,
    ) -> Document | None:
        """Set ``fields`` (and append ``history`` to the bounded history) if the question
        is still ``from_status``; else ``None``."""
        update: Document = {"$set": fields}
        if history is not None:
            update["$push"] = {HISTORY_FIELD: {"$each": [history], "$slice": -HISTORY_LIMIT}}
        return await self.writer.find_and_update(
            {"_id": question_id, "status": from_status}, update, *events
        )

    async def add_merged(self, question_id: str, merged_id: str) -> None:
        await self.collection.update_one({"_id": question_id}, {"$addToSet": {"merged": merged_id}})

    async def erase_addressees(self, meetup_id: str, names: list[str], name: str) -> None:
        await self.collection.update_many(
            {"meetup_id": meetup_id, "addressed_to": {"$in": names}},
            {"$set": {"addressed_to": name}},
        )

    async def erase_authors(self, person_keys: list[str], name: str) -> None:
        await self.collection.update_many(
            {"person_key": {"$in": person_keys}}, {"$set": {"author_name": name}}
        )


class FeedbackRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["feedback"]
        self.writer = outbox.writer(self.collection)

    async def insert(self, feedback: Document, event: CloudEvent) -> bool:
        """Whether it is new (one feedback per registration: its id)."""
        try:
            await self.writer.insert(feedback, event)
        except DuplicateKeyError:
            return False
        return True

    async def of_meetup(self, meetup_id: str) -> list[Document]:
        cursor = self.collection.find({"meetup_id": meetup_id}, WITHOUT_OUTBOX)
        return [f async for f in cursor.sort("received_at", 1)]

    async def erase_comments(self, feedback_ids: list[str]) -> None:
        """Feedback is keyed by its registration: the comments of erased registrations."""
        await self.collection.update_many(
            {"_id": {"$in": feedback_ids}}, {"$set": {"comment": None, "erased": True}}
        )
