"""``mailings``: the mailings staff write; the outbox of ``notifications.mailing.*``."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from nkohub_contracts import CloudEvent
from nkohub_notifications.domain.mailings import EDITABLE, MailingStatus
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Document, Outbox

COLLECTION = "mailings"
INDEXES = [
    IndexModel([("status", ASCENDING), ("send_at", ASCENDING)]),
    IndexModel([("created_at", DESCENDING)]),
]
LIST_FIELDS = {**WITHOUT_OUTBOX, "body": 0}


class MailingRepository:
    def __init__(self, collection: AsyncCollection[Document], outbox: Outbox) -> None:
        self._mailings = collection
        self._writer = outbox.writer(collection)

    async def insert(self, document: Document) -> Document:
        return await self._writer.insert(document)

    async def get(self, mailing_id: str) -> Document | None:
        return await self._mailings.find_one({"_id": mailing_id}, WITHOUT_OUTBOX)

    async def page(
        self, status: MailingStatus | None, *, offset: int, limit: int
    ) -> tuple[list[Document], int]:
        query: Document = {"status": status.value} if status else {}
        cursor = (
            self._mailings.find(query, LIST_FIELDS)
            .sort("created_at", DESCENDING)
            .skip(offset)
            .limit(limit)
        )
        return [doc async for doc in cursor], await self._mailings.count_documents(query)

    async def change_editable(self, mailing_id: str, fields: Document) -> Document | None:
        """Change a draft or a scheduled mailing; ``None`` if it is neither (any more)."""
        return await self._writer.find_and_update(
            {"_id": mailing_id, "status": {"$in": [s.value for s in EDITABLE]}},
            {"$set": fields},
        )

    async def schedule(
        self, mailing_id: str, fields: Document, event: CloudEvent
    ) -> Document | None:
        """Draft or scheduled → scheduled at ``fields['send_at']``, with its event."""
        return await self._writer.find_and_update(
            {"_id": mailing_id, "status": {"$in": [s.value for s in EDITABLE]}},
            {"$set": {**fields, "status": MailingStatus.SCHEDULED.value}},
            event,
        )

    async def cancel(self, mailing_id: str, at: datetime, author: str) -> Document | None:
        """Scheduled → cancelled (a mailing that started sending cannot be)."""
        return await self._writer.find_and_update(
            {"_id": mailing_id, "status": MailingStatus.SCHEDULED.value},
            {
                "$set": {
                    "status": MailingStatus.CANCELLED.value,
                    "cancelled_at": at,
                    "cancelled_by": author,
                    "updated_at": at,
                }
            },
        )

    async def claim_due(self, at: datetime, lease_until: datetime) -> Document | None:
        """A scheduled mailing whose time came, or a fan-out whose process died (its
        lease ran out): ``sending``, leased to this process (one process wins)."""
        return await self._writer.find_and_update(
            {
                "$or": [
                    {"status": MailingStatus.SCHEDULED.value, "send_at": {"$lte": at}},
                    {
                        "status": MailingStatus.SENDING.value,
                        "fanned_out": False,
                        "fanout_lease": {"$lt": at},
                    },
                ]
            },
            {
                "$set": {
                    "status": MailingStatus.SENDING.value,
                    "fanout_lease": lease_until,
                    "updated_at": at,
                },
                "$min": {"started_at": at},
            },
            sort=[("send_at", ASCENDING)],
        )

    async def extend_lease(self, mailing_id: str, lease_until: datetime) -> None:
        await self._mailings.update_one(
            {"_id": mailing_id, "status": MailingStatus.SENDING.value},
            {"$set": {"fanout_lease": lease_until}},
        )

    async def fanned_out(self, mailing_id: str, fields: Document) -> None:
        """The fan-out is done: every recipient's message is queued."""
        await self._mailings.update_one(
            {"_id": mailing_id, "status": MailingStatus.SENDING.value},
            {"$set": {**fields, "fanned_out": True, "fanout_lease": None}},
        )

    async def sending(self) -> list[Document]:
        """Mailings whose fan-out is done and whose messages may still be on their way."""
        cursor = self._mailings.find(
            {"status": MailingStatus.SENDING.value, "fanned_out": True}, LIST_FIELDS
        )
        return [doc async for doc in cursor]

    async def finish(self, mailing_id: str, fields: Document, event: CloudEvent) -> bool:
        """Sending → sent, with ``notifications.mailing.sent`` (once)."""
        result = await self._writer.update(
            {"_id": mailing_id, "status": MailingStatus.SENDING.value, "fanned_out": True},
            {"$set": {**fields, "status": MailingStatus.SENT.value}},
            event,
        )
        return bool(result.modified_count)

    async def set_copies(self, mailing_id: str, copies: list[Document]) -> Document | None:
        """The copies of a draft's or scheduled mailing's attachments."""
        return await self._writer.find_and_update(
            {"_id": mailing_id, "status": {"$in": [s.value for s in EDITABLE]}},
            {"$set": {"attachment_copies": copies}},
        )

    async def with_expired_copies(self, before: datetime) -> list[Document]:
        """Sent or cancelled mailings, finished before ``before``, still holding copies."""
        cursor = self._mailings.find(
            {
                "attachment_copies.0": {"$exists": True},
                "$or": [
                    {"status": MailingStatus.SENT.value, "finished_at": {"$lt": before}},
                    {"status": MailingStatus.CANCELLED.value, "cancelled_at": {"$lt": before}},
                ],
            },
            {"attachment_copies": 1},
        )
        return [doc async for doc in cursor]

    async def copies_deleted(self, mailing_id: str, at: datetime) -> None:
        await self._mailings.update_one(
            {"_id": mailing_id}, {"$set": {"attachment_copies": [], "attachments_deleted_at": at}}
        )
