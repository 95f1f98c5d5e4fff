"""Specialists, slots and bookings.

One booking per slot: the booking is written into the slot with a write conditional on
``booking: null`` (with its event in the same write). At most N active bookings per
organization per meetup: a quota document per (meetup, organization) holds the active
consultation ids and takes one more only while ``holders.<N-1>`` does not exist — one
conditional upsert, so concurrent bookings of one NGO can never pass N. The quota is
taken before the slot and given back when the slot was taken by someone else; a crash
between the two can only leave the NGO with one place fewer, never with one more.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from nkohub_events.domain import consultations as rules
from nkohub_events.domain.common import as_utc, local, new_id, utcnow
from nkohub_events.repository.base import Store
from nkohub_events.repository.figures import organization_key
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.events import (
    ConsultationBooked,
    ConsultationCancelled,
    ConsultationCompleted,
)
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.privacy import person_key
from nkohub_shared.storage.outbox import push_outbox, strip_outbox, with_outbox


class ConsultationStore(Store):
    default_limit: int = 2

    @property
    def slots(self):
        return self.db["slots"]

    async def add_specialist(self, data: rules.SpecialistIn) -> dict[str, Any]:
        doc = {"_id": new_id(), **data.model_dump(), "created_at": utcnow()}
        await self.db["specialists"].insert_one(doc)
        return doc

    async def specialists(self) -> list[dict[str, Any]]:
        return [s async for s in self.db["specialists"].find().sort("name", 1)]

    async def specialist(self, specialist_id: str, field: str = "specialist_id") -> dict:
        s = await self.db["specialists"].find_one({"_id": specialist_id})
        if s is None:
            raise NotFound(f"no specialist {specialist_id!r}", field=field)
        return s

    async def add_slot(self, meetup: dict[str, Any], data: rules.SlotIn) -> dict[str, Any]:
        if meetup["status"] in ("completed", "cancelled"):
            raise Conflict(f"the meetup is {meetup['status']}", field="meetup_id")
        specialist = await self.specialist(data.specialist_id)
        starts = as_utc(data.starts_at, meetup.get("timezone", "Europe/Samara"))
        ends = starts + timedelta(minutes=data.duration_minutes)
        if starts < meetup["starts_at"] or ends > meetup["ends_at"]:
            raise InvalidInput("the slot must lie within the meetup's time", field="starts_at")
        async for other in self.slots.find(
            {"specialist._id": specialist["_id"], "starts_at": {"$lt": ends}}
        ):
            if other["starts_at"] + timedelta(minutes=other["duration_minutes"]) > starts:
                raise Conflict("the specialist has another slot then", field="starts_at")
        doc = {
            "_id": new_id(),
            "meetup_id": meetup["_id"],
            "specialist": specialist,
            "starts_at": starts,
            "duration_minutes": data.duration_minutes,
            "booking": None,
            "past_bookings": [],
            "created_at": utcnow(),
        }
        await self.slots.insert_one(doc)
        return doc

    async def list_slots(self, meetup_id: str) -> list[dict[str, Any]]:
        cursor = self.slots.find({"meetup_id": meetup_id}, {"_outbox": 0}).sort("starts_at", 1)
        return [s async for s in cursor]

    async def get_slot(self, slot_id: str) -> dict[str, Any]:
        s = await self.slots.find_one({"_id": slot_id}, {"_outbox": 0})
        if s is None:
            raise NotFound(f"no consultation slot {slot_id!r}", field="slot_id")
        return s

    async def by_consultation(self, consultation_id: str) -> dict[str, Any]:
        s = await self.slots.find_one({"booking.consultation_id": consultation_id}, {"_outbox": 0})
        if s is None:
            s = await self.slots.find_one(
                {"past_bookings.consultation_id": consultation_id}, {"_outbox": 0}
            )
        if s is None:
            raise NotFound(f"no consultation {consultation_id!r}", field="consultation_id")
        return s

    def _event_fields(self, slot: dict[str, Any], booking: dict[str, Any]) -> dict[str, Any]:
        return dict(
            consultation_id=booking["consultation_id"],
            slot_id=slot["_id"],
            meetup_id=slot.get("meetup_id"),
            specialist=rules.specialist_model(slot["specialist"]),
            starts_at=slot["starts_at"],
            duration_minutes=slot["duration_minutes"],
            organization_id=booking.get("organization_id"),
            organization_name=booking.get("organization_name"),
        )

    async def book(
        self, slot_id: str, data: rules.BookingIn, organizations, meetup_of
    ) -> dict[str, Any]:
        if not data.consent_personal_data:
            raise InvalidInput(
                "consent to the processing of personal data is required",
                field="consent_personal_data",
            )
        slot = await self.get_slot(slot_id)
        meetup = await meetup_of(slot["meetup_id"])
        if meetup["status"] != "scheduled":
            raise Conflict(f"the meetup is {meetup['status']}", field="slot_id")
        if slot["starts_at"] <= utcnow():
            raise Conflict("the slot has begun", field="slot_id")
        if slot.get("booking") is not None:
            raise Conflict("the slot is already booked", field="slot_id")
        org = await organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        org_key = organization_key(org["organization_id"], org["organization_name"])
        if org_key is None:
            raise InvalidInput(
                "name the organization (registry id, ОГРН or name)", field="organization_name"
            )
        limit = meetup.get("consultations_per_organization") or self.default_limit
        cid = new_id()
        quota_id = f"{meetup['_id']}:{org_key}"
        try:
            await self.db["consultation_quotas"].update_one(
                {"_id": quota_id, f"holders.{limit - 1}": {"$exists": False}},
                {"$push": {"holders": cid}},
                upsert=True,
            )
        except DuplicateKeyError:
            raise Conflict(
                f"the organization already has {limit} consultations booked at this meetup",
                field="organization_id",
                limit=limit,
            ) from None
        booking = {
            "consultation_id": cid,
            "status": "booked",
            **org,
            "org_key": org_key,
            "contact": {
                **data.contact.model_dump(),
                "person_key": person_key(data.contact.email),
            },
            "question": data.question,
            "booked_at": utcnow(),
        }
        event = ConsultationBooked(
            **self._event_fields(slot, booking),
            contact=rules.contact_model(booking),
            question=data.question,
        )
        done = await self.slots.find_one_and_update(
            {"_id": slot_id, "booking": None},
            push_outbox({"$set": {"booking": booking}}, new_event(event)),
            return_document=ReturnDocument.AFTER,
        )
        if done is None:
            await self._release(quota_id, cid)
            raise Conflict("the slot is already booked", field="slot_id")
        self.kick()
        return strip_outbox(done)

    async def _release(self, quota_id: str, cid: str) -> None:
        await self.db["consultation_quotas"].update_one(
            {"_id": quota_id}, {"$pull": {"holders": cid}}
        )

    def _quota_id(self, slot: dict[str, Any], booking: dict[str, Any]) -> str:
        return f"{slot['meetup_id']}:{booking['org_key']}"

    async def cancel(self, consultation_id: str, *, by: str) -> dict[str, Any]:
        slot = await self.by_consultation(consultation_id)
        booking = slot.get("booking")
        if booking is None or booking["consultation_id"] != consultation_id:
            return slot  # cancelled already
        if booking["status"] != "booked":
            raise Conflict(f"the consultation is {booking['status']}", field="consultation_id")
        event = ConsultationCancelled(
            **self._event_fields(slot, booking),
            contact=rules.contact_model(booking),
            cancelled_by=by,
        )
        past = {**booking, "status": "cancelled", "cancelled_at": utcnow(), "cancelled_by": by}
        done = await self.slots.find_one_and_update(
            {
                "_id": slot["_id"],
                "booking.consultation_id": consultation_id,
                "booking.status": "booked",
            },
            push_outbox(
                {"$set": {"booking": None}, "$push": {"past_bookings": past}}, new_event(event)
            ),
            return_document=ReturnDocument.AFTER,
        )
        if done is None:
            return await self.cancel(consultation_id, by=by)
        self.kick()
        if slot.get("meetup_id"):
            await self._release(self._quota_id(slot, booking), consultation_id)
        return strip_outbox(done)

    async def finish(
        self, consultation_id: str, status: str, data: rules.OutcomeIn
    ) -> dict[str, Any]:
        """Mark a booked consultation ``completed`` (with its event) or ``no_show``."""
        slot = await self.by_consultation(consultation_id)
        booking = slot.get("booking")
        if booking is None or booking["consultation_id"] != consultation_id:
            raise Conflict("the consultation was cancelled", field="consultation_id")
        if booking["status"] == status:
            return slot
        if booking["status"] != "booked":
            raise Conflict(f"the consultation is {booking['status']}", field="consultation_id")
        given_on = data.given_on or local(slot["starts_at"]).date()
        events = []
        if status == "completed":
            events.append(
                new_event(
                    ConsultationCompleted(**self._event_fields(slot, booking), given_on=given_on)
                )
            )
        update = {
            "$set": {
                "booking.status": status,
                "booking.outcome": data.outcome,
                "booking.given_on": given_on.isoformat(),
                "booking.finished_at": utcnow(),
            }
        }
        done = await self.slots.find_one_and_update(
            {
                "_id": slot["_id"],
                "booking.consultation_id": consultation_id,
                "booking.status": "booked",
            },
            push_outbox(update, *events),
            return_document=ReturnDocument.AFTER,
        )
        if done is None:
            return await self.finish(consultation_id, status, data)
        self.kick()
        if slot.get("meetup_id"):
            await self._release(self._quota_id(slot, booking), consultation_id)
        return strip_outbox(done)

    async def record_given(
        self, data: rules.GivenIn, organizations, meetup_of
    ) -> tuple[dict, bool]:
        """A consultation already given, entered afterwards; the same ``key`` twice is one."""
        slot_id = f"given:{data.key}" if data.key else new_id()
        existing = await self.slots.find_one({"_id": slot_id}, {"_outbox": 0})
        if existing is not None:
            return existing, False
        specialist = await self.specialist(data.specialist_id)
        meetup = await meetup_of(data.meetup_id) if data.meetup_id else None
        if data.given_on > local(utcnow()).date():
            raise InvalidInput("a consultation given in the future?", field="given_on")
        org = await organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        org_key = organization_key(org["organization_id"], org["organization_name"])
        starts = as_utc(data.starts_at or datetime.combine(data.given_on, time(12)))
        booking = {
            "consultation_id": new_id(),
            "status": "completed",
            **org,
            "org_key": org_key,
            "contact": None,
            "outcome": data.outcome,
            "given_on": data.given_on.isoformat(),
            "recorded_after_the_fact": True,
            "booked_at": utcnow(),
        }
        slot = {
            "_id": slot_id,
            "meetup_id": meetup["_id"] if meetup else None,
            "specialist": specialist,
            "starts_at": starts,
            "duration_minutes": data.duration_minutes,
            "booking": booking,
            "past_bookings": [],
            "created_at": utcnow(),
        }
        event = ConsultationCompleted(
            **self._event_fields(slot, booking),
            given_on=data.given_on,
            recorded_after_the_fact=True,
        )
        try:
            await self.slots.insert_one(with_outbox(slot, new_event(event)))
        except DuplicateKeyError:
            return await self.get_slot(slot_id), False
        self.kick()
        return slot, True
