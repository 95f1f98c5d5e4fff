"""``messages``: every outbound message, stored before it is sent; it carries the outbox
of ``notifications.message.sent`` / ``.failed``.

The sender's per-message writes — the claim, the hand-over mark, the outcome — are group
commits (``storage.groups.GroupWrite``): what the sender's workers ask for while the
previous such write is on its way goes to MongoDB together (a claim group: one
``update_many`` and one ``find``; hand-over marks likewise; outcomes: one ``bulk_write``
with their events), and each caller still gets its own answer. A mailing to thousands
costs a few round trips per group of messages instead of several per message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from nkohub_contracts import CloudEvent
from nkohub_notifications.domain.erasure import redaction
from nkohub_notifications.domain.messages import MessageFilter, Status
from nkohub_shared.storage.groups import GroupWrite
from nkohub_shared.storage.idempotent import APPLIED_FIELD
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Document, Outbox
from nkohub_shared.tracing import stamp as stamp_trace

COLLECTION = "messages"
INDEXES = [
    IndexModel([("key", ASCENDING)], unique=True),
    IndexModel([("status", ASCENDING), ("priority", ASCENDING), ("next_attempt_at", ASCENDING)]),
    IndexModel([("mailing_id", ASCENDING), ("status", ASCENDING)]),
    IndexModel([("recipient_key", ASCENDING)]),
    IndexModel([("meetup_id", ASCENDING)]),
    IndexModel([("registration_id", ASCENDING)]),
    IndexModel([("about_keys", ASCENDING)]),
    IndexModel([("created_at", DESCENDING)]),
    # Unique by their ``_id`` already: they exist for the MongoDB-wire server (the
    # embedded store), which looks a document up by an index only when a query names
    # exactly that index's fields, and otherwise reads the whole collection. The sender's
    # conditional writes name exactly these: a claim ``{_id, status, next_attempt_at}``,
    # a hand-over mark or an outcome ``{_id, status}`` — one look-up each, not a scan of
    # every message ever sent. (MongoDB answers them by ``_id`` either way.)
    IndexModel([("_id", ASCENDING), ("status", ASCENDING)], unique=True, name="id_status"),
    IndexModel(
        [("_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)],
        unique=True,
        name="id_status_due",
    ),
]
INSERT_BATCH = 500
GROUP_MAX = 200  # claims, marks or outcomes written in one round trip at most
CLAIM_FIELD = "claim"  # the claim group that took a message (so it knows what it won)
DUPLICATE_KEY = 11000
HIDDEN = {**WITHOUT_OUTBOX, APPLIED_FIELD: 0}
# The delivery log's rows: no bodies.
LIST_FIELDS = {**HIDDEN, "text": 0, "html": 0, "attachments": 0, "payload": 0}


def _query(filter: MessageFilter) -> Document:
    query: Document = {}
    if filter.recipient_key:
        query["recipient_key"] = filter.recipient_key
    if filter.status:
        query["status"] = filter.status.value
    if filter.template:
        query["template"] = filter.template
    if filter.meetup_id:
        query["meetup_id"] = filter.meetup_id
    if filter.channel:
        query["channel"] = filter.channel
    if filter.mailing_id:
        query["mailing_id"] = filter.mailing_id
    return query


@dataclass(frozen=True)
class Due:
    """A queued message that is due: its id and the due time it had when seen."""

    message_id: str
    due_at: datetime


@dataclass(frozen=True)
class _Claim:
    message_id: str
    at: datetime
    lease_until: datetime
    due_at: datetime | None = None


@dataclass(frozen=True)
class _Outcome:
    filter: Document
    update: Document
    events: tuple[CloudEvent, ...]


class MessageRepository:
    def __init__(self, collection: AsyncCollection[Document], outbox: Outbox) -> None:
        self._messages = collection
        self._writer = outbox.writer(collection)
        self._claims = GroupWrite(self._claim_group, max_items=GROUP_MAX)
        self._hand_overs = GroupWrite(self._hand_over_group, max_items=GROUP_MAX)
        self._outcomes = GroupWrite(self._outcome_group, max_items=GROUP_MAX)

    # --- queueing ------------------------------------------------------------------------

    async def insert_new(self, documents: list[Document]) -> int:
        """Insert messages; one whose idempotency key exists is skipped. Returns how many
        are new."""
        if not documents:
            return 0
        if len(documents) == 1:
            try:
                await self._messages.insert_one(documents[0])
            except DuplicateKeyError:
                return 0
            return 1
        inserted = 0
        for start in range(0, len(documents), INSERT_BATCH):
            batch = documents[start : start + INSERT_BATCH]
            try:
                result = await self._messages.insert_many(batch, ordered=False)
                inserted += len(result.inserted_ids)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                # not nInserted: the MongoDB-wire test server counts the refused ones in it
                inserted += len(batch) - len(errors)
        return inserted

    async def insert_failed(self, document: Document, *events: CloudEvent) -> bool:
        """Store a message that could not be built, already ``failed``, with its events;
        ``False`` if its idempotency key exists (a redelivered cause)."""
        try:
            await self._writer.insert(document, *events)
        except DuplicateKeyError:
            return False
        return True

    async def suppress_queued(
        self,
        reason: str,
        at: datetime,
        *,
        template: str | None = None,
        meetup_id: str | None = None,
        registration_id: str | None = None,
    ) -> int:
        """Queued messages that must no longer go out (e.g. reminders of a cancellation)."""
        query: Document = {"status": Status.QUEUED.value}
        for field, value in (
            ("template", template),
            ("meetup_id", meetup_id),
            ("registration_id", registration_id),
        ):
            if value is not None:
                query[field] = value
        result = await self._messages.update_many(
            query,
            {"$set": {"status": Status.SUPPRESSED.value, "last_error": reason, "updated_at": at}},
        )
        return result.modified_count

    # --- sending -------------------------------------------------------------------------

    async def due(self, at: datetime, *, exclude: set[str], limit: int) -> list[Due]:
        """Queued messages due at ``at`` (id and due time): one person's own messages
        (priority 0) before a mailing's (1), oldest due first. ``exclude`` (those already
        on their way) is left out here, not in the query: the MongoDB-wire server checks
        a ``$nin`` list against every document it reads, seconds for a mailing's thousands."""
        query: Document = {"status": Status.QUEUED.value, "next_attempt_at": {"$lte": at}}
        cursor = (
            self._messages.find(query, {"_id": 1, "next_attempt_at": 1})
            .sort([("priority", ASCENDING), ("next_attempt_at", ASCENDING)])
            .limit(limit + len(exclude))
        )
        found: list[Due] = []
        async for doc in cursor:
            if doc["_id"] not in exclude:
                found.append(Due(doc["_id"], doc["next_attempt_at"]))
                if len(found) >= limit:
                    break
        return found

    async def mark_handed_over(self, message_id: str, at: datetime) -> bool:
        """Record that the message's content is about to be written to the far side;
        whether it was (``False``: no longer ``sending``)."""
        return await self._hand_overs((message_id, at))

    async def _hand_over_group(self, items: list[tuple[str, datetime]]) -> list[bool]:
        at = max(when for _, when in items)  # one moment for the group: within it
        ids = list({message_id: None for message_id, _ in items})
        result = await self._messages.bulk_write(
            [
                UpdateOne(
                    {"_id": message_id, "status": Status.SENDING.value},
                    {"$set": {"handed_over_at": at}},
                )
                for message_id in ids
            ],
            ordered=False,
        )
        if result.matched_count == len(ids):  # every one (the usual case): no look-up
            return [True] * len(items)
        marked = {
            doc["_id"]
            async for doc in self._messages.find(
                {"_id": {"$in": ids}}, {"_id": 1, "status": 1, "handed_over_at": 1}
            )
            if doc.get("status") == Status.SENDING.value and doc.get("handed_over_at") == at
        }
        return [message_id in marked for message_id, _ in items]

    async def expired_handed_over(self, at: datetime) -> list[Document]:
        """Claims whose sender died after handing the content over (maybe delivered)."""
        query = {
            "status": Status.SENDING.value,
            "lease_until": {"$lt": at},
            "handed_over_at": {"$ne": None},
        }
        return [doc async for doc in self._messages.find(query, HIDDEN)]

    async def claim(
        self,
        message_id: str,
        at: datetime,
        lease_until: datetime,
        *,
        due_at: datetime | None = None,
    ) -> Document | None:
        """Take the message if it is still queued and due (atomic: one sender wins):
        ``sending`` until ``lease_until``, one attempt more, marked with the claim
        group's token (a group learns what it won by it). ``due_at``: the due time the
        sender saw (``due``) — the claim then holds only if the message is still queued
        with that very due time (not deferred meanwhile), and is one indexed look-up."""
        return await self._claims(_Claim(message_id, at, lease_until, due_at))

    @staticmethod
    def _claim_filter(claim: _Claim) -> Document:
        if claim.due_at is not None and claim.due_at <= claim.at:
            return {
                "_id": claim.message_id,
                "status": Status.QUEUED.value,
                "next_attempt_at": claim.due_at,
            }
        return {
            "_id": claim.message_id,
            "status": Status.QUEUED.value,
            "next_attempt_at": {"$lte": claim.at},
        }

    async def _claim_group(self, claims: list[_Claim]) -> list[Document | None]:
        if len(claims) == 1:  # alone: one round trip, as before groups
            return [await self._claim_one(claims[0])]
        token = uuid.uuid4().hex
        firsts = list({c.message_id: c for c in claims}.values())
        await self._messages.bulk_write(
            [
                UpdateOne(
                    self._claim_filter(claim),
                    {
                        "$set": {
                            "status": Status.SENDING.value,
                            "lease_until": claim.lease_until,
                            CLAIM_FIELD: token,
                        },
                        "$inc": {"attempts": 1},
                    },
                )
                for claim in firsts
            ],
            ordered=False,
        )
        won = {
            doc["_id"]: doc
            async for doc in self._messages.find(
                {"_id": {"$in": [c.message_id for c in firsts]}}, HIDDEN
            )
            if doc.get(CLAIM_FIELD) == token and doc.get("status") == Status.SENDING.value
        }
        results: list[Document | None] = []
        for claim in claims:  # the same id twice in a group: only the first caller gets it
            results.append(won.pop(claim.message_id, None))
        return results

    async def finish(
        self,
        message_id: str,
        fields: Document,
        *events: CloudEvent,
        attempt: Document | None = None,
        history_keep: int,
    ) -> bool:
        """Record the outcome of a claimed message with its events (one write); a message
        no longer ``sending`` (its lease ran out and another sender took it) is left."""
        update: Document = {"$set": {**fields, "lease_until": None}}
        if attempt is not None:
            update["$push"] = {"history": {"$each": [attempt], "$slice": -history_keep}}
        filter = {"_id": message_id, "status": Status.SENDING.value}
        stamp_trace(events)  # the caller's trace (the group is written from another task)
        return await self._outcomes(_Outcome(filter, update, events))

    async def _claim_one(self, claim: _Claim) -> Document | None:
        return await self._messages.find_one_and_update(
            self._claim_filter(claim),
            {
                "$set": {"status": Status.SENDING.value, "lease_until": claim.lease_until},
                "$unset": {CLAIM_FIELD: ""},
                "$inc": {"attempts": 1},
            },
            projection=HIDDEN,
            return_document=ReturnDocument.AFTER,
        )

    async def _outcome_group(self, outcomes: list[_Outcome]) -> list[bool]:
        """The outcomes with their events, one unordered ``bulk_write`` (each message is
        its own single-document write: an outcome whose claim was lost records nothing)."""
        result = await self._writer.update_each([(o.filter, o.update, o.events) for o in outcomes])
        # a bulk write tells how many matched, not which: all did, or look them up
        if result.matched_count == len(outcomes):
            return [True] * len(outcomes)
        finished = {
            doc["_id"]
            async for doc in self._messages.find(
                {"_id": {"$in": [o.filter["_id"] for o in outcomes]}}, {"_id": 1, "lease_until": 1}
            )
            if doc.get("lease_until") is None
        }
        return [o.filter["_id"] in finished for o in outcomes]

    async def release_expired_leases(self, at: datetime) -> int:
        """Messages whose sender died before handing them over go back to the queue."""
        result = await self._messages.update_many(
            {
                "status": Status.SENDING.value,
                "lease_until": {"$lt": at},
                "handed_over_at": None,
            },
            {"$set": {"status": Status.QUEUED.value, "next_attempt_at": at}},
        )
        return result.modified_count

    # --- the delivery log ----------------------------------------------------------------

    async def page(self, filter: MessageFilter, *, offset: int, limit: int) -> list[Document]:
        """Messages without their bodies, newest first."""
        cursor = (
            self._messages.find(_query(filter), LIST_FIELDS)
            .sort("created_at", -1)
            .skip(offset)
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def count(self, filter: MessageFilter) -> int:
        return await self._messages.count_documents(_query(filter))

    async def mailing_counts(self, mailing_id: str) -> dict[str, int]:
        """A mailing's messages by status (its progress)."""
        return await self.counts_by_status(MessageFilter(mailing_id=mailing_id))

    async def mailing_unconfirmed(self, mailing_id: str) -> int:
        """A mailing's messages counted sent without the server's confirmation (the sender
        died after handing them over)."""
        return await self._messages.count_documents({"mailing_id": mailing_id, "unconfirmed": True})

    async def counts_by_status(self, filter: MessageFilter) -> dict[str, int]:
        pipeline = [{"$match": _query(filter)}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] async for row in await self._messages.aggregate(pipeline)}

    async def get(self, message_id: str) -> Document | None:
        return await self._messages.find_one({"_id": message_id}, HIDDEN)

    async def requeue_failed(self, message_id: str, at: datetime) -> bool:
        """Put a failed message back in the queue with fresh attempts."""
        doc = await self._messages.find_one_and_update(
            {"_id": message_id, "status": Status.FAILED.value},
            {"$set": {"status": Status.QUEUED.value, "next_attempt_at": at, "attempts": 0}},
            projection={"_id": 1},
        )
        return doc is not None

    async def exists(self, message_id: str) -> bool:
        return await self._messages.find_one({"_id": message_id}, {"_id": 1}) is not None

    async def delete_of_people(self, person_keys: list[str]) -> int:
        result = await self._messages.delete_many({"recipient_key": {"$in": person_keys}})
        return result.deleted_count

    async def redact_about(self, person_keys: list[str], reason: str, at: datetime) -> int:
        """Messages to others that carry these people's data: a queued one is not sent,
        and the content of every one goes."""
        about = {"about_keys": {"$in": person_keys}}
        await self._messages.update_many(
            {**about, "status": Status.QUEUED.value},
            {"$set": {"status": Status.SUPPRESSED.value, "last_error": reason}},
        )
        result = await self._messages.update_many(
            about, {"$set": {**redaction(), "about_keys": [], "updated_at": at}}
        )
        return result.modified_count
