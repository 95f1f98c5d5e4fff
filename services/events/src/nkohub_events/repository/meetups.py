"""Meetups in MongoDB. Every change of a meetup's own fields is conditional on the
``sequence`` and status it was computed from (optimistic concurrency): two staff editing
at once cannot lose one another's change. The seat ledger's fields are ``SeatRepository``'s.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent
from nkohub_events.domain.audit import HISTORY_FIELD, HISTORY_LIMIT
from nkohub_shared.storage.writer import WITHOUT_OUTBOX, Outbox

Document = dict[str, Any]
# How long a scheduled meetup read for a registration is used again (``open_for_registration``).
OPEN_MEETUP_SECONDS = 2.0
OPEN_MEETUP_ENTRIES = 256


class MeetupRepository:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox) -> None:
        self.collection = db["meetups"]
        self.writer = outbox.writer(self.collection)
        self._open: dict[str, tuple[float, Document]] = {}
        self._reading: dict[str, asyncio.Task[Document | None]] = {}  # reads under way
        self._generation = 0  # moved by ``forget``: a read begun before keeps no copy

    async def open_for_registration(self, id_or_slug: str) -> Document | None:
        """``find(light=True)``, answered from memory for a scheduled meetup read less than
        ``OPEN_MEETUP_SECONDS`` ago (every registration needs the meetup; it rarely
        changes). Safe to be stale: the seat ledger's updates are conditional on the
        status, capacity and ``sequence`` the caller saw (``SeatRepository``), so a
        registration computed from an old copy finds no place and reads the ledger; and
        this process's own changes (``change``) forget every copy at once. Requests that
        miss together (a rush, when the copy has just expired) share one read."""
        hit = self._open.get(id_or_slug)
        if hit is not None and hit[0] > time.monotonic():
            return dict(hit[1])
        reading = self._reading.get(id_or_slug)
        if reading is None:
            reading = asyncio.create_task(self._read_open(id_or_slug), name="open-meetup")
            self._reading[id_or_slug] = reading
            reading.add_done_callback(lambda done: self._read_ended(id_or_slug, done))
        m = await asyncio.shield(reading)
        return dict(m) if m is not None else None

    async def _read_open(self, id_or_slug: str) -> Document | None:
        generation = self._generation
        m = await self.find(id_or_slug, light=True)
        if m is not None and m.get("status") == "scheduled" and generation == self._generation:
            if len(self._open) >= OPEN_MEETUP_ENTRIES:
                self._open.clear()
            self._open[id_or_slug] = (time.monotonic() + OPEN_MEETUP_SECONDS, dict(m))
        return m

    def _read_ended(self, id_or_slug: str, done: asyncio.Task[Document | None]) -> None:
        if self._reading.get(id_or_slug) is done:
            del self._reading[id_or_slug]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter got it (or none waits any more)

    def forget(self) -> None:
        """Drop the copies ``open_for_registration`` keeps (and forget reads under way)."""
        self._open.clear()
        self._reading.clear()
        self._generation += 1

    async def find(self, id_or_slug: str, *, light: bool = False) -> Document | None:
        """A meetup by id or slug; ``light`` leaves out the ledger's id arrays."""
        projection = {**WITHOUT_OUTBOX, "seats": 0, "waitlist": 0} if light else WITHOUT_OUTBOX
        return await self.collection.find_one(
            {"$or": [{"_id": id_or_slug}, {"slug": id_or_slug}]}, projection
        )

    async def list(
        self,
        *,
        statuses: list[str] | None = None,
        starts_from: datetime | None = None,
        starts_to: datetime | None = None,
        limit: int = 200,
    ) -> list[Document]:
        query: Document = {}
        if statuses:
            query["status"] = {"$in": statuses}
        when: Document = {}
        if starts_from:
            when["$gte"] = starts_from
        if starts_to:
            when["$lt"] = starts_to
        if when:
            query["starts_at"] = when
        cursor = self.collection.find(query, WITHOUT_OUTBOX).sort("starts_at", 1).limit(limit)
        return [m async for m in cursor]

    async def starting_between(self, since: datetime, until: datetime) -> list[Document]:
        cursor = self.collection.find(
            {"starts_at": {"$gte": since, "$lt": until}},
            {**WITHOUT_OUTBOX, "seats": 0, "waitlist": 0},
        )
        return [m async for m in cursor]

    async def with_speakers(self, person_keys: list[str]) -> list[Document]:
        cursor = self.collection.find(
            {
                "$or": [
                    {"program.speaker_person_key": {"$in": person_keys}},
                    {"program.speaker_email_key": {"$in": person_keys}},
                ]
            },
            {**WITHOUT_OUTBOX, "seats": 0, "waitlist": 0},
        )
        return [m async for m in cursor]

    async def insert(self, meetup: Document) -> None:
        """``DuplicateKeyError`` when the slug is taken."""
        await self.collection.insert_one(meetup)

    async def change(
        self,
        before: Document,
        fields: Document,
        *events: CloudEvent,
        max_confirmed: int | None = None,
        history: Document | None = None,
    ) -> Document | None:
        """Set ``fields`` unless the meetup changed since ``before`` was read (its status
        and sequence), and, with ``max_confirmed``, only while no more seats are confirmed;
        ``history``: the entry to append to its bounded history in the same write.
        ``None`` when it did change; ``DuplicateKeyError`` when a new slug is taken."""
        guard: Document = {
            "_id": before["_id"],
            "sequence": before["sequence"],
            "status": before["status"],
        }
        if max_confirmed is not None:
            guard["confirmed"] = {"$lte": max_confirmed}
        update: Document = {"$set": fields}
        if history is not None:
            update["$push"] = {HISTORY_FIELD: {"$each": [history], "$slice": -HISTORY_LIMIT}}
        self.forget()
        try:
            return await self.writer.find_and_update(guard, update, *events)
        finally:
            self.forget()
