"""Meetups in MongoDB: create, change and move through the life cycle, each change that
others must hear about carrying its event in the same single-document write.

Every update of a meetup's own fields is conditional on the ``sequence`` it was computed
from (optimistic concurrency): two staff editing at once cannot lose one another's change,
and the seat ledger fields (``confirmed``, ``seats``, ``waitlist``) are never touched here
except to check that a smaller capacity still holds everyone confirmed.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from nkohub_events.domain import meetups as rules
from nkohub_events.domain.common import new_id, slugify, utcnow
from nkohub_events.repository.base import Store
from nkohub_events.repository.figures import meetup_figures
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.events import (
    MeetupCancelled,
    MeetupCompleted,
    MeetupFigures,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.storage.outbox import push_outbox, strip_outbox

MAX_RETRIES = 20


class MeetupStore(Store):
    @property
    def meetups(self):
        return self.db["meetups"]

    def snapshot(self, m: dict[str, Any]):
        return rules.snapshot(m, self.public_base_url)

    async def get(self, meetup_id: str) -> dict[str, Any]:
        m = await self.meetups.find_one({"$or": [{"_id": meetup_id}, {"slug": meetup_id}]})
        if m is None:
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return strip_outbox(m)

    async def get_published(self, meetup_id: str) -> dict[str, Any]:
        m = await self.get(meetup_id)
        if m["status"] == "draft":
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def list(
        self,
        *,
        statuses: list[str] | None = None,
        starts_from: datetime | None = None,
        starts_to: datetime | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if statuses:
            query["status"] = {"$in": statuses}
        when: dict[str, Any] = {}
        if starts_from:
            when["$gte"] = starts_from
        if starts_to:
            when["$lt"] = starts_to
        if when:
            query["starts_at"] = when
        cursor = self.meetups.find(query, {"_outbox": 0}).sort("starts_at", 1).limit(limit)
        return [m async for m in cursor]

    async def create(self, fields: dict[str, Any], *, staff: str) -> dict[str, Any]:
        now = utcnow()
        data = rules.normalise_meetup(fields)
        if data.get("consultations_per_organization") is None:
            data.pop("consultations_per_organization", None)
        meetup_id = new_id()
        explicit_slug = data.pop("slug", None)
        doc = {
            "_id": meetup_id,
            **data,
            "status": "draft",
            "sequence": 0,
            "recorded_after_the_fact": data["starts_at"] < now,
            "confirmed": 0,
            "seats": [],
            "waitlist": [],
            "waiting": 0,
            "created_at": now,
            "updated_at": now,
            "created_by": staff,
        }
        base = explicit_slug or f"{slugify(data['title'])}-{data['starts_at']:%Y-%m-%d}"
        for attempt in range(5):
            doc["slug"] = base if attempt == 0 else f"{base}-{secrets.token_hex(2)}"
            try:
                await self.meetups.insert_one(doc)
                return doc
            except DuplicateKeyError:
                if explicit_slug:
                    raise Conflict(f"slug {explicit_slug!r} is taken", field="slug") from None
        raise Conflict("could not find a free slug", field="slug")

    async def update(self, meetup_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        for key, value in patch.items():
            if value is None and key not in rules.NULLABLE:
                raise InvalidInput(f"{key} cannot be null", field=key)
        for _ in range(MAX_RETRIES):
            before = await self.get(meetup_id)
            rules.require_status(before, "draft", "scheduled", action="changed")
            editable = {k: before.get(k) for k in rules.MeetupIn.model_fields if k in before}
            merged = rules.normalise_meetup({**editable, **patch})
            changes = {k: v for k, v in merged.items() if before.get(k) != v}
            if "slug" in patch and patch["slug"] is None:
                changes.pop("slug", None)
            if not changes:
                return before
            new_limit = merged["capacity"] - merged["reserved_seats"]
            if new_limit < before.get("confirmed", 0):
                raise Conflict(
                    f"{before['confirmed']} seats are confirmed: capacity minus reserved seats "
                    "cannot go below that",
                    field="capacity",
                )
            after = {**before, **changes, "sequence": before["sequence"] + 1}
            update: dict[str, Any] = {
                "$set": {**changes, "sequence": after["sequence"], "updated_at": utcnow()}
            }
            events = []
            if before["status"] == "scheduled":
                event = MeetupUpdated(meetup=self.snapshot(after), changed=sorted(changes))
                events.append(new_event(event))
            query = {
                "_id": before["_id"],
                "sequence": before["sequence"],
                "status": before["status"],
                "confirmed": {"$lte": new_limit},
            }
            try:
                result = await self.meetups.find_one_and_update(
                    query, push_outbox(update, *events), return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError:
                raise Conflict(f"slug {changes.get('slug')!r} is taken", field="slug") from None
            if result is not None:
                self.kick()
                return strip_outbox(result)
        raise Conflict("the meetup is changing too fast; try again", field="meetup_id")

    async def _transition(
        self,
        meetup_id: str,
        *,
        allowed: tuple[str, ...],
        status: str,
        action: str,
        event_of,
        extra: dict[str, Any] | None = None,
        check=None,
    ) -> dict[str, Any]:
        for _ in range(MAX_RETRIES):
            before = await self.get(meetup_id)
            if before["status"] == status:
                return before  # repeating a transition is harmless
            rules.require_status(before, *allowed, action=action)
            if check is not None:
                check(before)
            after = {**before, **(extra or {}), "status": status}
            after["sequence"] = before["sequence"] + (0 if before["status"] == "draft" else 1)
            events = [new_event(e) for e in await event_of(before, after) if e is not None]
            update = {
                "$set": {
                    **(extra or {}),
                    "status": status,
                    "sequence": after["sequence"],
                    "updated_at": utcnow(),
                }
            }
            result = await self.meetups.find_one_and_update(
                {"_id": before["_id"], "status": before["status"], "sequence": before["sequence"]},
                push_outbox(update, *events),
                return_document=ReturnDocument.AFTER,
            )
            if result is not None:
                self.kick()
                return strip_outbox(result)
        raise Conflict("the meetup is changing too fast; try again", field="meetup_id")

    async def publish(self, meetup_id: str) -> dict[str, Any]:
        async def events(before, after):
            return [MeetupScheduled(meetup=self.snapshot(after))]

        def check(before):
            if before.get("recorded_after_the_fact") or before["starts_at"] <= utcnow():
                raise Conflict(
                    "a meetup in the past cannot be published; complete it instead",
                    field="starts_at",
                )

        return await self._transition(
            meetup_id,
            allowed=("draft",),
            status="scheduled",
            action="published",
            event_of=events,
            extra={"published_at": utcnow()},
            check=check,
        )

    async def cancel(self, meetup_id: str, reason: str | None) -> dict[str, Any]:
        async def events(before, after):
            if before["status"] != "scheduled":
                return []  # nobody outside heard of a draft
            return [MeetupCancelled(meetup=self.snapshot(after), reason=reason)]

        return await self._transition(
            meetup_id,
            allowed=("draft", "scheduled"),
            status="cancelled",
            action="cancelled",
            event_of=events,
            extra={"cancelled_at": utcnow(), "cancel_reason": reason},
        )

    async def complete(self, meetup_id: str) -> dict[str, Any]:
        """Close a meetup that took place: confirmed registrations never checked in become
        no-shows (idempotent), and the completion event carries the meetup's figures."""

        def check(before):
            if before["starts_at"] > utcnow():
                raise Conflict("the meetup has not started yet", field="starts_at")
            if before["status"] == "draft" and not before.get("recorded_after_the_fact"):
                raise Conflict("a draft meetup cannot be completed", field="status")

        async def events(before, after):
            await self.db["registrations"].update_many(
                {"meetup_id": before["_id"], "status": "confirmed", "checked_in_at": None},
                {"$set": {"no_show": True}},
            )
            figures = await meetup_figures(self.db, after)
            return [
                MeetupCompleted(
                    meetup=self.snapshot(after),
                    figures=MeetupFigures(**figures["figures"]),
                    organization_ids=figures["organization_ids"],
                    recorded_after_the_fact=bool(before.get("recorded_after_the_fact")),
                )
            ]

        return await self._transition(
            meetup_id,
            allowed=("scheduled", "draft"),
            status="completed",
            action="completed",
            event_of=events,
            extra={"completed_at": utcnow()},
            check=check,
        )
