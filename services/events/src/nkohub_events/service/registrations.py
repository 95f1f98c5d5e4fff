"""Registrations and their seats: hard capacity under any concurrency, FIFO waitlist.

The seat ledger is counters in the meetup document and the waitlist's numbers in the
registrations (``repository.seats``): a seat is taken, the waitlist joined and a seat
found for the waitlist's head each by ONE conditional update of the counters, never by a
read and then a write; nothing in the meetup grows with its registrations.

A registration is written in three steps: (1) its document is inserted as ``pending``
(the unique index on meetup + normalised e-mail makes a second registration of the same
address impossible; the second request gets the existing one); (2) the counters' update;
(3) its status (and waitlist number) is set to ``confirmed``/``waitlisted`` together with
its event, conditional on it being still pending. Two requests placing the same
registration (a slow request and the repair sweep) both move the counters; the one whose
step 3 finds it placed already gives its counter back. The registrations are the truth
about seats. If the process dies between steps, ``reconcile`` (run periodically) places
a pending registration again and, once nothing of the meetup is between two writes,
sets the counters to what the registrations say (conditional on the counters'
``ledger_version``, so a change meanwhile makes it wait for the next sweep). Promotion
takes a seat for the head in the counters (``promoting`` marks it under way), then moves
the waitlisted registration with the lowest number to confirmed (a conditional move: two
promoters take the first two in line), then ends the mark; nobody found waiting gives
the seat back. Cancellation first marks the registration cancelled (with its event and a
``releasing`` mark), then gives its place back, then promotes at once in the same
request, so a freed seat goes to the first in line with no periodic job in the normal
path.

What a public registration costs the database (the issue «Performance»): the door's two
rate counts (grouped with other requests' by ``BatchedRateCounter``), the erasure check,
the client's hold, the insert, ONE ledger update (the service remembers whether the
meetup was full last time and tries the waitlist or the seat first accordingly) and the
status with its event. The meetup itself comes from a 2-second copy
(``MeetupRepository.open_for_registration``; the ledger's updates are conditional on the
copy's status, capacity and sequence, so an old copy costs a retry, never a wrong seat),
and the answer's waitlist place is the ledger update's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from nkohub_contracts import new_event
from nkohub_events.domain import audit, door, walk_ins
from nkohub_events.domain import registrations as rules
from nkohub_events.domain.common import normalise, utcnow
from nkohub_events.domain.meetups import registration_window_error, seat_limit
from nkohub_events.repository.consultations import QuotaRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_events.repository.seats import POSITION, SeatRepository
from nkohub_events.service.door import PublicDoor
from nkohub_events.service.erasure import ErasedPeople
from nkohub_events.service.organizations import OrganizationService
from nkohub_shared.errors import Conflict, DomainError, NotFound
from nkohub_shared.ids import new_id

log = logging.getLogger("nkohub.events")

SETTLE_WAIT_SECONDS = 3.0
STALE_PENDING = timedelta(seconds=5)
STALE_MARK = timedelta(seconds=60)  # a promotion or release older than this died
SEAT_ATTEMPTS = 1000
PROMOTE_ATTEMPTS = 10_000
CANCEL_ATTEMPTS = 50
SEARCH_LIMIT = 50  # registrations a search by name answers with (the door's phone)
# A key of the registration this service hands back (never stored): the waitlist place
# the registration joined at in this request, so the answer needs no second read.
JOINED_AT_PLACE = "_joined_at_place"
# A cancelled registration still giving its place back (its previous status).
RELEASING = "releasing"
# A walk-in confirmed beyond the capacity: it holds no seat in the counters.
BEYOND_CAPACITY = "beyond_capacity"
Registration = dict[str, Any]
Meetup = dict[str, Any]


class RegistrationService:
    def __init__(
        self,
        registrations: RegistrationRepository,
        seats: SeatRepository,
        meetups: MeetupRepository,
        organizations: OrganizationService,
        *,
        door: PublicDoor,
        holds: QuotaRepository,
        erased: ErasedPeople,
        consent_version: str,
        public_base_url: str,
    ) -> None:
        self._registrations = registrations
        self._seats = seats
        self._meetups = meetups
        self._organizations = organizations
        self._door = door
        self._holds = holds
        self._erased = erased
        self.consent_version = consent_version
        self._base_url = public_base_url
        self._full: dict[str, bool] = {}  # meetups found full at their last registration

    async def _meetup(self, meetup_id: str, *, light: bool = False, recent: bool = False) -> Meetup:
        """A published meetup; ``light`` leaves out the ledger's id arrays; ``recent``
        (light) may be a copy up to a few seconds old (see the module docstring)."""
        if recent:
            m = await self._meetups.open_for_registration(meetup_id)
        else:
            m = await self._meetups.find(meetup_id, light=light)
        if m is None or m["status"] == "draft":
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def get(self, registration_id: str) -> Registration:
        r = await self._registrations.get(registration_id)
        if r is None:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id")
        return r

    async def position(self, r: Registration) -> int | None:
        """The place in the waitlist of a waitlisted registration (the place it just
        joined at, when this request put it there)."""
        if r["status"] != "waitlisted":
            return None
        if r.get(JOINED_AT_PLACE):
            return int(r[JOINED_AT_PLACE])
        number = r.get(POSITION)
        if number is None:
            return None
        return await self._seats.place_of(r["meetup_id"], int(number))

    # -- registering -------------------------------------------------------------------

    async def register(
        self,
        meetup_id: str,
        data: rules.RegistrationIn,
        *,
        client: str | None = None,
        actor: str | None = None,
    ) -> tuple[Registration, bool]:
        """Returns (registration, created). The same e-mail again returns the existing one
        as it is (its answer shows no status): a first request still placing it finishes
        that itself, one that died is placed by the repair sweep (``reconcile``). A second
        request placing it too, after waiting for it a while, made two placements of which
        one was given back — and under a rush the waitlist places told to the people who
        joined in between were one too high (``tests/events/test_race.py``).
        ``client``: the caller's address (``None``: staff), counted at the door, and
        holding at most N active registrations of the meetup; ``actor``: the staff member
        who registers the person (recorded in its history)."""
        email = rules.require_registrant(data)
        await self._door.enter("registration", client, address=email)
        m = await self._meetup(meetup_id, recent=True)
        version = rules.consented_version(data, self.consent_version)
        if client is not None:  # staff may register a person who consents again
            await self._erased.refuse(email, field="email")
        org = await self._organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        now = utcnow()
        problem = registration_window_error(m, now)
        if problem:
            existing = await self._existing(m["_id"], email)
            if existing is not None and existing["status"] != "cancelled":
                return existing, False
            raise Conflict(problem, field="meetup_id", status=m["status"])
        hold = door.client_hold_id(m["_id"], client) if client is not None else None
        doc = rules.new_registration(
            new_id(), m["_id"], data, org, version, now, hold=hold, actor=actor
        )
        if not await self._hold(hold, doc["_id"]):
            existing = await self._existing(m["_id"], email)
            if existing is not None and existing["status"] != "cancelled":
                return existing, False
            raise door.too_many_seats(self._door.limits.registrations_per_client_per_meetup)
        try:
            await self._registrations.insert_pending(doc)
        except DuplicateKeyError:
            await self._release(hold, doc["_id"])
            existing = await self._existing(m["_id"], email)
        else:
            return await self._seated_or_released(doc, m), True
        if existing is None:  # it was erased meanwhile: unlikely
            raise Conflict("try again", field="email")
        if existing["status"] != "cancelled":
            return existing, False
        if not await self._hold(hold, existing["_id"]):
            raise door.too_many_seats(self._door.limits.registrations_per_client_per_meetup)
        back = await self._registrations.restart(
            existing["_id"],
            rules.comeback(data, org, version, now, hold=hold),
            audit.entry(actor, "registered", now) if actor else None,
        )
        if back is None:
            await self._release(hold, existing["_id"])
            return await self.get(existing["_id"]), False
        return await self._seated_or_released(back, m), True

    async def walk_in(
        self, meetup_id: str, data: rules.RegistrationIn, *, actor: str
    ) -> tuple[Registration, bool]:
        """A walk-in registered by staff at the door, confirmed (``domain.walk_ins``);
        the caller checks them in. Returns (registration, created): an address registered
        already gives its registration back. With an address, the confirmation is mailed
        as for anyone (it carries the feedback link); without one nobody is told."""
        m = await self._meetups.find(meetup_id, light=True)  # staff see drafts: a 409 below
        if m is None:
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        walk_ins.require_open_door(m)
        version = rules.consented_version(data, self.consent_version)
        existing = await self._existing(m["_id"], data.email) if data.email else None
        if existing is not None and existing["status"] != "cancelled":
            walk_ins.existing_walk_in(existing)
            return await self._settled(existing), False
        org = await self._organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        now = utcnow()
        rid = existing["_id"] if existing is not None else new_id()
        doc = walk_ins.walk_in(rid, m["_id"], data, org, version, now, actor=actor)
        events = []
        if data.email:
            _, event = rules.settled(doc, m, rules.Place("confirmed"), now, self._base_url)
            events.append(new_event(event))
        if existing is not None:  # cancelled before: the same record, confirmed again
            back = await self._registrations.move(
                rid,
                "cancelled",
                walk_ins.comeback(doc),
                *events,
                history=doc[audit.HISTORY_FIELD][0],
            )
            if back is None:
                raise Conflict("the registration changed meanwhile; try again", field="email")
            await self._count_walk_in(m, rid)
            return back, True
        try:
            await self._registrations.insert_settled(doc, *events)
        except DuplicateKeyError:  # the same person registered meanwhile
            existing = await self._existing(m["_id"], data.email or "")
            if existing is None:
                raise Conflict("try again", field="email") from None
            walk_ins.existing_walk_in(existing)
            return await self._settled(existing), False
        await self._count_walk_in(m, doc["_id"])
        return doc, True

    async def _count_walk_in(self, m: Meetup, registration_id: str) -> None:
        """A walk-in takes a seat in the counters if one is free; one beyond the
        capacity is marked so (it holds no counted seat, and gives none back)."""
        if not await self._seats.take_seat(m, seat_limit(m)):
            await self._registrations.set(registration_id, {BEYOND_CAPACITY: True})

    async def _hold(self, hold: str | None, registration_id: str) -> bool:
        """A place in the client's hold at the meetup (staff hold none)."""
        if hold is None:
            return True
        limit = self._door.limits.registrations_per_client_per_meetup
        return await self._holds.take(hold, registration_id, limit)

    async def _release(self, hold: str | None, registration_id: str) -> None:
        if hold is not None:
            await self._holds.give_back(hold, registration_id)

    async def _seated_or_released(self, r: Registration, m: Meetup) -> Registration:
        """Step 2 and 3; a refusal gives the client's place back."""
        try:
            return await self._seat(r, m)
        except DomainError:
            await self._release(r.get("client_hold"), r["_id"])
            raise

    async def _existing(self, meetup_id: str, email: str) -> Registration | None:
        return await self._registrations.by_email_key(meetup_id, rules.email_key(email))

    async def _settled(self, r: Registration) -> Registration:
        """Wait for a concurrent first request of the same person to settle its seat."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WAIT_SECONDS
        while r["status"] == "pending" and loop.time() < deadline:
            await asyncio.sleep(0.02)
            r = await self.get(r["_id"])
        if r["status"] == "pending":
            r = await self._seat(r, await self._meetup(r["meetup_id"]))
        return r

    async def _seat(self, r: Registration, m: Meetup) -> Registration:
        """Step 2: a seat, else the end of the waitlist, each one conditional update; the
        one more likely to succeed (as the meetup was last time) is tried first."""
        rid = r["_id"]
        for _ in range(SEAT_ATTEMPTS):
            limit = seat_limit(m)
            full = self._full.get(m["_id"], False)
            for attempt in (self._wait, self._take) if full else (self._take, self._wait):
                done = await attempt(r, m, limit)
                if done is not None:
                    return done
            current = await self._seats.ledger(m["_id"])
            if current is None:
                raise NotFound("the meetup is gone", field="meetup_id")
            now_r = await self._registrations.get(rid)
            if now_r is None:
                raise Conflict("try again", field="email")
            if now_r["status"] != "pending":  # placed by another request meanwhile
                return now_r
            refusal = rules.refusal(current, utcnow())
            if refusal is None and current.get("sequence") != m.get("sequence"):
                problem = registration_window_error(current, utcnow())  # edited meanwhile
                refusal = Conflict(problem, field="meetup_id") if problem else None
            if refusal is not None:
                await self._registrations.delete_pending(rid)
                raise refusal
            m = current
        raise Conflict("too much contention; try again", field="meetup_id")

    async def _take(self, r: Registration, m: Meetup, limit: int) -> Registration | None:
        """A free seat, if there is one and nobody waits; else ``None``."""
        if not await self._seats.take_seat(m, limit):
            return None
        self._full.pop(m["_id"], None)
        return await self._finish(r, m, rules.Place("confirmed"))

    async def _wait(self, r: Registration, m: Meetup, limit: int) -> Registration | None:
        """The end of the waitlist, if the meetup is full or others wait; else ``None``."""
        if not m.get("waitlist_enabled", True):
            return None
        joined = await self._seats.join_waitlist(m, limit)
        if joined is None:
            return None
        self._full[m["_id"]] = True
        # appended last: our place, and the number that orders us
        place = rules.Place("waitlisted", joined["waiting"], joined["next_place"])
        done = await self._finish(r, m, place)
        if joined["confirmed"] < limit:  # a seat was freed meanwhile
            await self.promote(m["_id"])
            return await self.get(r["_id"])
        if done["status"] != "waitlisted":
            return done
        return {**done, JOINED_AT_PLACE: place.position}

    async def _finish(self, r: Registration, m: Meetup, place: rules.Place) -> Registration:
        """Step 3: the registration's status and its event, in one write."""
        fields, event = rules.settled(r, m, place, utcnow(), self._base_url)
        done = await self._registrations.move(r["_id"], "pending", fields, new_event(event))
        if done is not None:
            return done
        await self._seats.give_back(m["_id"], place.status)  # placed by another request
        return await self.get(r["_id"])

    # -- promotion and cancellation ----------------------------------------------------

    async def promote(self, meetup_id: str) -> int:
        """Give free seats to the head of the waitlist: a seat in the counters, then the
        lowest waitlist number's conditional move. A seat found while the only waiters
        are between their two writes (joined the counters, not yet waitlisted) waits for
        them a moment (``SETTLE_WAIT_SECONDS``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WAIT_SECONDS
        promoted = 0
        for _ in range(PROMOTE_ATTEMPTS):
            m = await self._seats.ledger(meetup_id)
            if m is None or not rules.seat_for_waitlist(m):
                return promoted
            if not await self._seats.seat_for_head(m, seat_limit(m)):
                continue
            seated = False
            try:
                seated = await self._seat_head(m)
            finally:
                await self._seats.promoted(meetup_id, seated=seated)
            if seated:
                promoted += 1
                continue
            if loop.time() > deadline:
                return promoted
            await asyncio.sleep(0.02)
        return promoted

    async def _seat_head(self, m: Meetup) -> bool:
        """Move the waitlisted registration with the lowest number to the seat the
        counters just gave; ``False`` when nobody is waitlisted."""
        while True:
            head = await self._seats.head(m["_id"])
            if head is None:
                return False
            change = rules.promoted(head, m, utcnow(), self._base_url)
            if change is None:
                continue
            fields, event = change
            if await self._registrations.move(head["_id"], "waitlisted", fields, new_event(event)):
                return True

    async def cancel(
        self,
        registration_id: str,
        *,
        by: str,
        client: str | None = None,
        actor: str | None = None,
    ) -> Registration:
        """Cancel (by ``participant`` or ``staff``); a freed seat goes to the first in line
        at once, and the registering client's place in its hold is given back.
        ``client``: the caller's address (``None``: staff), counted at the door;
        ``actor``: the staff member who cancels (recorded in its history)."""
        r = await self.get(registration_id)
        await self._door.enter("registration-cancel", client, address=r["email"])
        for _ in range(CANCEL_ATTEMPTS):
            r = await self.get(registration_id)
            if r["status"] == "cancelled":
                return r
            if r["status"] == "pending":
                await self._settled(r)
                continue
            m = await self._seats.ledger(r["meetup_id"])
            if m is None:
                raise NotFound("the meetup is gone", field="meetup_id")
            now = utcnow()
            fields, event = rules.cancelled(r, m, by, now, self._base_url)
            held = r["status"] in ("confirmed", "waitlisted") and not r.get(BEYOND_CAPACITY)
            if held:
                fields = {**fields, RELEASING: r["status"]}
            done = await self._registrations.move(
                r["_id"],
                r["status"],
                fields,
                *([new_event(event)] if event is not None else []),
                history=audit.entry(actor, "cancelled", now) if actor else None,
            )
            if done is None:
                continue  # promoted meanwhile: cancel what it is now
            if held:
                await self._seats.give_back(m["_id"], r["status"])
                await self._registrations.released(r["_id"])
            await self._release(r.get("client_hold"), r["_id"])
            await self.promote(m["_id"])
            return done
        raise Conflict("too much contention; try again", field="registration_id")

    async def reconcile(self) -> int:
        """Finish what a crash left half-done (see the module docstring); returns repairs."""
        repairs = 0
        for r in await self._registrations.pending_since_before(utcnow() - STALE_PENDING):
            with contextlib.suppress(Conflict, NotFound):
                await self._seat(r, await self._meetup(r["meetup_id"]))
            repairs += 1
        for m in await self._seats.scheduled():
            repairs += await self._recount(m)
            repairs += await self.promote(m["_id"])
        return repairs

    async def _recount(self, m: Meetup) -> int:
        """The counters set to what the registrations say, when they differ and nothing
        of the meetup is between two writes (a promotion or release older than
        ``STALE_MARK`` died with its process); 1 if they were repaired."""
        stale = utcnow() - STALE_MARK
        promoting_at = m.get("promoting_at")
        if m.get("promoting", 0) > 0 and promoting_at is not None and promoting_at >= stale:
            return 0
        if await self._seats.in_flight(m["_id"], stale):
            return 0
        confirmed, waiting = await self._seats.counted(m["_id"])
        if (confirmed, waiting, 0) == (m["confirmed"], m.get("waiting", 0), m.get("promoting", 0)):
            await self._seats.drop_stale_releases(m["_id"], stale)
            return 0
        if not await self._seats.recount(m, confirmed, waiting):
            return 0
        await self._seats.drop_stale_releases(m["_id"], stale)
        log.warning(
            "meetup %s: seat counters repaired from %s/%s to %s/%s",
            m["_id"],
            m["confirmed"],
            m.get("waiting", 0),
            confirmed,
            waiting,
        )
        return 1

    async def migrate_ledgers(self) -> None:
        """Ledgers written before the counters: their waitlists into the registrations."""
        moved = await self._seats.migrate()
        if moved:
            log.info("moved the waitlists of %d meetups into their registrations", moved)

    async def keep_reconciled(self, every_seconds: float) -> None:
        """The background job: repairs what a crash between two writes of a registration
        left (not the normal path: promotions happen in the request that frees the seat)."""
        await self.migrate_ledgers()
        while True:
            await asyncio.sleep(every_seconds)
            repaired = await self.reconcile()
            if repaired:
                log.info("reconciled %d registrations", repaired)

    # -- staff ------------------------------------------------------------------------

    async def list(
        self,
        meetup_id: str,
        *,
        status: str | None = None,
        role: str | None = None,
        organization_id: str | None = None,
        q: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Registrations with personal data, and their waitlist places. A search (``q``:
        part of a name, address or organization, case and ё/е aside) answers with at most
        ``limit`` (``SEARCH_LIMIT``) of them; a list without one with all."""
        m = await self._meetup(meetup_id)
        text = normalise(q) if q else None
        found = await self._registrations.search(
            m["_id"],
            status=status,
            role=role,
            organization_id=organization_id,
            text=text or None,
            limit=limit or (SEARCH_LIMIT if text else 0),
        )
        places = {rid: i for i, rid in enumerate(await self._seats.waitlist(m["_id"]), start=1)}
        return [rules.staff_view(r, places.get(r["_id"])) for r in found]

    async def staff_view(self, registration_id: str) -> dict[str, Any]:
        r = await self.get(registration_id)
        return rules.staff_view(r, await self.position(r))
