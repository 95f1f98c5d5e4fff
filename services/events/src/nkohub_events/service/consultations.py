"""Specialists, consultation slots and their bookings by NGOs.

A booking takes its places (the NGO's quota, the contact address's, the client
address's: ``domain.consultations.booking_holds``) before the slot and gives them back
when the slot was taken by someone else or a place was refused; a crash in between can
only leave one place fewer, never one more.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from nkohub_contracts import new_event
from nkohub_events.domain import consultations as rules
from nkohub_events.domain import door
from nkohub_events.domain.common import as_utc, local, utcnow
from nkohub_events.repository.consultations import (
    QuotaRepository,
    SlotRepository,
    SpecialistRepository,
)
from nkohub_events.service.door import PublicDoor
from nkohub_events.service.erasure import ErasedPeople
from nkohub_events.service.meetups import MeetupService
from nkohub_events.service.organizations import OrganizationService
from nkohub_shared.errors import Conflict, DomainError, NotFound
from nkohub_shared.ids import new_id
from nkohub_shared.privacy import person_key

Slot = dict[str, Any]


class ConsultationService:
    def __init__(
        self,
        specialists: SpecialistRepository,
        slots: SlotRepository,
        quotas: QuotaRepository,
        meetups: MeetupService,
        organizations: OrganizationService,
        *,
        door: PublicDoor,
        erased: ErasedPeople,
        default_limit: int,
    ) -> None:
        self._specialists = specialists
        self._slots = slots
        self._quotas = quotas
        self._meetups = meetups
        self._organizations = organizations
        self._door = door
        self._erased = erased
        self._default_limit = default_limit

    # -- specialists and slots ---------------------------------------------------------

    async def add_specialist(self, data: rules.SpecialistIn) -> dict[str, Any]:
        doc = rules.new_specialist(new_id(), data, utcnow())
        await self._specialists.insert(doc)
        return doc

    async def specialists(self) -> list[dict[str, Any]]:
        return await self._specialists.all()

    async def specialist(self, specialist_id: str) -> dict[str, Any]:
        s = await self._specialists.get(specialist_id)
        if s is None:
            raise NotFound(f"no specialist {specialist_id!r}", field="specialist_id")
        return s

    async def add_slot(self, meetup_id: str, data: rules.SlotIn) -> Slot:
        meetup = await self._meetups.get(meetup_id)
        rules.require_open_for_slots(meetup)
        specialist = await self.specialist(data.specialist_id)
        starts = as_utc(data.starts_at, meetup.get("timezone", "Europe/Samara"))
        ends = starts + timedelta(minutes=data.duration_minutes)
        rules.check_within(meetup, starts, ends)
        others = await self._slots.of_specialist_starting_before(specialist["_id"], ends)
        rules.check_no_overlap(others, starts, ends)
        slot = rules.new_slot(new_id(), meetup, specialist, starts, data.duration_minutes, utcnow())
        await self._slots.insert(slot)
        return slot

    async def slots(self, meetup_id: str, *, staff: bool) -> list[Slot]:
        """The slots of a meetup anyone may see (staff: of any meetup)."""
        meetup = await self._meetups.visible(meetup_id, staff=staff)
        return await self._slots.of_meetup(meetup["_id"])

    async def slot(self, slot_id: str) -> Slot:
        s = await self._slots.get(slot_id)
        if s is None:
            raise NotFound(f"no consultation slot {slot_id!r}", field="slot_id")
        return s

    async def by_consultation(self, consultation_id: str) -> Slot:
        s = await self._slots.by_consultation(consultation_id)
        if s is None:
            raise NotFound(f"no consultation {consultation_id!r}", field="consultation_id")
        return s

    # -- bookings ----------------------------------------------------------------------

    async def book(
        self,
        slot_id: str,
        data: rules.BookingIn,
        *,
        at_meetup: str | None = None,
        client: str | None = None,
    ) -> Slot:
        """An NGO books a slot: one booking per slot, at most N active bookings per
        organization, per contact address and per client address at a meetup.
        ``at_meetup``: the slot must belong to that meetup; ``client``: the caller's
        address (``None``: staff, who pass the door and hold no client places)."""
        await self._door.enter(
            "booking", client, address=data.contact.email, address_field="contact.email"
        )
        rules.require_consent(data)
        if client is not None:
            await self._erased.refuse(data.contact.email, field="contact.email")
        slot = await self.slot(slot_id)
        if at_meetup is not None:
            page_meetup = await self._meetups.get_published(at_meetup)
            if slot["meetup_id"] != page_meetup["_id"]:
                raise DomainError("это время относится к другой встрече", field="slot_id")
        meetup = await self._meetups.get(slot["meetup_id"])
        rules.check_bookable(slot, meetup, utcnow())
        org = await self._organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        org_key = rules.booking_organization_key(org)
        contact_key = person_key(data.contact.email)
        known = rules.contact_is_known(
            await self._organizations.registered(org["organization_id"]), data.contact.email
        )
        limits = self._door.limits
        holds = rules.booking_holds(
            meetup["_id"],
            rules.quota_key(org_key, org["organization_id"], contact_key, known),
            rules.quota_limit(meetup, self._default_limit),
            contact_key,
            limits.bookings_per_address_per_meetup,
            door.client_hold_id(meetup["_id"], client) if client is not None else None,
            limits.bookings_per_client_per_meetup,
        )
        cid = new_id()
        await self._take(holds, cid)
        quotas = [h.quota_id for h in holds]
        booking = rules.new_booking(cid, org, org_key, data, utcnow(), quotas=quotas)
        done = await self._slots.book(
            slot_id, booking, new_event(rules.booked_event(slot, booking))
        )
        if done is None:
            await self._give_back_places(quotas, cid)
            raise Conflict("the slot is already booked", field="slot_id")
        return done

    async def _take(self, holds: list[rules.Hold], consultation_id: str) -> None:
        """Every place, or none (those taken are given back) and the first refusal."""
        taken: list[str] = []
        for hold in holds:
            if not await self._quotas.take(hold.quota_id, consultation_id, hold.limit):
                await self._give_back_places(taken, consultation_id)
                raise hold.refusal
            taken.append(hold.quota_id)

    async def _give_back_places(self, quota_ids: list[str], consultation_id: str) -> None:
        for quota in quota_ids:
            await self._quotas.give_back(quota, consultation_id)

    async def _give_back(self, slot: Slot, booking: dict[str, Any]) -> None:
        await self._give_back_places(
            rules.booked_quota_ids(slot, booking), booking["consultation_id"]
        )

    async def cancel(self, consultation_id: str, *, by: str, client: str | None = None) -> Slot:
        """Cancel a booking (``client``: the caller's address, ``None`` for staff); its
        places are given back."""
        slot = await self.by_consultation(consultation_id)
        current = rules.active_booking(slot, consultation_id) or {}
        address = (current.get("contact") or {}).get("email")
        await self._door.enter("booking-cancel", client, address=address)
        while True:
            slot = await self.by_consultation(consultation_id)
            booking = rules.active_booking(slot, consultation_id)
            if booking is None:
                return slot  # cancelled already
            rules.require_booked(booking)
            update = {
                "$set": {"booking": None},
                "$push": {"past_bookings": rules.cancelled_booking(booking, by, utcnow())},
            }
            event = rules.cancelled_event(slot, booking, by)
            done = await self._slots.change_booking(
                slot["_id"], consultation_id, update, new_event(event)
            )
            if done is not None:
                await self._give_back(slot, booking)
                return done

    async def finish(
        self, consultation_id: str, status: rules.Outcome, data: rules.OutcomeIn
    ) -> Slot:
        """Mark a booked consultation ``completed`` (with its event) or ``no_show``."""
        while True:
            slot = await self.by_consultation(consultation_id)
            booking = rules.active_booking(slot, consultation_id)
            if booking is None:
                raise Conflict("the consultation was cancelled", field="consultation_id")
            if booking["status"] == status:
                return slot
            rules.require_booked(booking)
            given_on = data.given_on or local(slot["starts_at"]).date()
            events = []
            if status == "completed":
                events.append(new_event(rules.completed_event(slot, booking, given_on)))
            update = {"$set": rules.outcome_fields(status, data, given_on, utcnow())}
            done = await self._slots.change_booking(slot["_id"], consultation_id, update, *events)
            if done is not None:
                await self._give_back(slot, booking)
                return done

    async def record_given(self, data: rules.GivenIn) -> tuple[Slot, bool]:
        """A consultation already given, entered afterwards; the same ``key`` twice is one."""
        slot_id = rules.given_slot_id(data.key, new_id())
        existing = await self._slots.get(slot_id)
        if existing is not None:
            return existing, False
        specialist = await self.specialist(data.specialist_id)
        meetup = await self._meetups.get(data.meetup_id) if data.meetup_id else None
        rules.check_given_on(data.given_on, local(utcnow()).date())
        org = await self._organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        starts = as_utc(data.starts_at or datetime.combine(data.given_on, time(12)))
        slot = rules.given_slot(slot_id, new_id(), data, specialist, meetup, org, starts, utcnow())
        event = rules.completed_event(slot, slot["booking"], data.given_on, after_the_fact=True)
        try:
            await self._slots.insert(slot, new_event(event))
        except DuplicateKeyError:
            return await self.slot(slot_id), False
        return slot, True
