"""Registrations and the seat ledger: hard capacity under any concurrency, FIFO waitlist.

Why a ledger inside the meetup document
---------------------------------------
The meetup document holds ``confirmed`` (a counter), ``seats`` (the ids of the
registrations holding a seat) and ``waitlist`` (ids, in order). A seat is taken with ONE
conditional single-document update::

    {_id, status: scheduled, capacity, reserved_seats, confirmed: {$lt: limit},
     "waitlist.0": {$exists: false}, seats: {$ne: id}, waitlist: {$ne: id}}
    → {$inc: {confirmed: 1}, $push: {seats: id}}

so ``confirmed`` can never pass ``capacity - reserved_seats`` however many requests race
(the database serialises writes to one document; no transaction is needed), nobody jumps
the queue while people wait, and the same registration can never hold two places. Joining
the waitlist is the same kind of update (``$push`` to ``waitlist``, only when full or when
others already wait), and a promotion moves the waitlist's head to ``seats`` in one update
conditional on ``"waitlist.0": <that id>``.

A registration is written in three steps: (1) its document is inserted as ``pending``
(the unique index on meetup + normalised e-mail makes a second registration of the same
address impossible; the second request gets the existing one); (2) the ledger update
above; (3) its status is set to ``confirmed``/``waitlisted`` together with its event in
the registration's outbox. The ledger is the truth about seats. If the process dies
between steps, ``reconcile`` (run periodically and on a repeated request) finishes the
work from the ledger: a pending registration found in ``seats`` is confirmed, one in the
waitlist is waitlisted, one in neither is seated again; a cancelled registration still
holding a seat releases it; a waitlisted one found in ``seats`` is promoted. Cancellation
first marks the registration cancelled (with its event), then releases the seat, then
promotes at once in the same request, so a freed seat goes to the first in line with no
periodic job in the normal path.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from nkohub_events.domain import meetups as meetup_rules
from nkohub_events.domain import registrations as rules
from nkohub_events.domain.common import new_id, normalise, utcnow
from nkohub_events.repository.base import Store
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.events import (
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.privacy import person_key
from nkohub_shared.storage.outbox import push_outbox, strip_outbox, with_outbox

SETTLE_WAIT_SECONDS = 3.0
STALE_PENDING = timedelta(seconds=5)


class RegistrationStore(Store):
    consent_version: str = "2026-01"

    @property
    def registrations(self):
        return self.db["registrations"]

    @property
    def meetups(self):
        return self.db["meetups"]

    async def _meetup(self, meetup_id: str, *, light: bool = False) -> dict[str, Any]:
        """The meetup; ``light`` leaves out the ledger's id arrays (the hot path needs none)."""
        projection = {"_outbox": 0, "seats": 0, "waitlist": 0} if light else {"_outbox": 0}
        m = await self.meetups.find_one(
            {"$or": [{"_id": meetup_id}, {"slug": meetup_id}]}, projection
        )
        if m is None or m["status"] == "draft":
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def get(self, registration_id: str) -> dict[str, Any]:
        r = await self.registrations.find_one({"_id": registration_id}, {"_outbox": 0})
        if r is None:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id")
        return r

    async def position(self, r: dict[str, Any]) -> int | None:
        if r["status"] != "waitlisted":
            return None
        m = await self.meetups.find_one({"_id": r["meetup_id"]}, {"waitlist": 1})
        waitlist = (m or {}).get("waitlist", [])
        return waitlist.index(r["_id"]) + 1 if r["_id"] in waitlist else None

    # -- registering -------------------------------------------------------------------

    async def register(
        self, meetup_id: str, data: rules.RegistrationIn, organizations
    ) -> tuple[dict[str, Any], bool]:
        """Returns (registration, created). The same e-mail again returns the existing one."""
        m = await self._meetup(meetup_id, light=True)
        if not data.consent_personal_data:
            raise InvalidInput(
                "consent to the processing of personal data is required",
                field="consent_personal_data",
            )
        version = data.consent_text_version or self.consent_version
        if version != self.consent_version:
            raise InvalidInput(
                f"the consent text changed (now version {self.consent_version}); reload the form",
                field="consent_text_version",
            )
        org = await organizations.resolve(
            data.organization_id, data.organization_ogrn, data.organization_name
        )
        now = utcnow()
        problem = meetup_rules.registration_window_error(m, now)
        if problem:
            existing = await self._existing(m["_id"], data.email)
            if existing is not None and existing["status"] != "cancelled":
                return await self._settled(existing), False
            raise Conflict(problem, field="meetup_id", status=m["status"])
        rid = new_id()
        doc = self._document(rid, m["_id"], data, org, version, now)
        try:
            await self.registrations.insert_one(doc)
        except DuplicateKeyError:
            existing = await self._existing(m["_id"], data.email)
        else:
            return await self._seat(doc, m), True
        if existing is None:  # it was erased meanwhile: unlikely
            raise Conflict("try again", field="email")
        if existing["status"] != "cancelled":
            return await self._settled(existing), False
        # they cancelled and come back: the same record, afresh
        revived = await self.registrations.find_one_and_update(
            {"_id": existing["_id"], "status": "cancelled"},
            {
                "$set": {
                    "status": "pending",
                    "name": data.name,
                    "phone": data.phone,
                    "role": data.role,
                    **org,
                    "consent_text_version": version,
                    "consented_at": now,
                    "mailing_consent": data.mailing_consent,
                    "created_at": now,
                    "cancelled_at": None,
                    "cancelled_by": None,
                    "no_show": False,
                }
            },
            projection={"_outbox": 0},
            return_document=ReturnDocument.AFTER,
        )
        if revived is None:
            return await self._settled(await self.get(existing["_id"])), False
        return await self._seat(revived, m), True

    async def _existing(self, meetup_id: str, email: str) -> dict[str, Any] | None:
        return await self.registrations.find_one(
            {"meetup_id": meetup_id, "email_key": rules.email_key(email)}, {"_outbox": 0}
        )

    def _document(
        self, rid: str, meetup_id: str, data: rules.RegistrationIn, org: dict, version: str, now
    ) -> dict[str, Any]:
        return {
            "_id": rid,
            "meetup_id": meetup_id,
            "status": "pending",
            "name": data.name,
            "email": data.email,
            "email_key": rules.email_key(data.email),
            "person_key": person_key(data.email),
            "phone": data.phone,
            "role": data.role,
            **org,
            "search": normalise(f"{data.name} {data.email} {org.get('organization_name') or ''}"),
            "consent_text_version": version,
            "consented_at": now,
            "mailing_consent": data.mailing_consent,
            "short_code": rules.short_code(rid),
            "created_at": now,
            "checked_in_at": None,
            "no_show": False,
        }

    async def _settled(self, r: dict[str, Any]) -> dict[str, Any]:
        """Wait for a concurrent first request of the same person to settle its seat."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_WAIT_SECONDS
        while r["status"] == "pending" and loop.time() < deadline:
            await asyncio.sleep(0.02)
            r = await self.get(r["_id"])
        if r["status"] == "pending":
            r = await self._seat(r, await self._meetup(r["meetup_id"]))
        return r

    async def _seat(self, r: dict[str, Any], m: dict[str, Any]) -> dict[str, Any]:
        rid = r["_id"]
        for _ in range(1000):
            limit = meetup_rules.seat_limit(m)
            guard = {
                "_id": m["_id"],
                "status": "scheduled",
                "capacity": m["capacity"],
                "reserved_seats": m.get("reserved_seats", 0),
                "seats": {"$ne": rid},
                "waitlist": {"$ne": rid},
            }
            taken = await self.meetups.find_one_and_update(
                {**guard, "confirmed": {"$lt": limit}, "waitlist.0": {"$exists": False}},
                {"$inc": {"confirmed": 1}, "$push": {"seats": rid}},
                projection={"_id": 1},
            )
            if taken is not None:
                return await self._finish(r, m, "confirmed")
            if m.get("waitlist_enabled", True):
                waiting = await self.meetups.find_one_and_update(
                    {
                        **guard,
                        "$or": [{"confirmed": {"$gte": limit}}, {"waitlist.0": {"$exists": True}}],
                    },
                    {"$push": {"waitlist": rid}, "$inc": {"waiting": 1}},
                    projection={"waiting": 1, "confirmed": 1},
                    return_document=ReturnDocument.AFTER,
                )
                if waiting is not None:
                    position = waiting["waiting"]  # appended last: the length is our place
                    done = await self._finish(r, m, "waitlisted", position=position)
                    if waiting["confirmed"] < limit:
                        await self.promote(m["_id"])
                        done = await self.get(rid)
                    return done
            current = await self.meetups.find_one({"_id": m["_id"]}, {"_outbox": 0})
            if current is None:
                raise NotFound("the meetup is gone", field="meetup_id")
            if rid in current.get("seats", []):
                return await self._finish(r, current, "confirmed")
            if rid in current.get("waitlist", []):
                position = current["waitlist"].index(rid) + 1
                return await self._finish(r, current, "waitlisted", position=position)
            problem = meetup_rules.registration_window_error(current, utcnow())
            full = current["confirmed"] >= meetup_rules.seat_limit(current) or current.get(
                "waitlist"
            )
            if current["status"] != "scheduled" or (
                full and not current.get("waitlist_enabled", True)
            ):
                await self.registrations.delete_one({"_id": rid, "status": "pending"})
                if current["status"] != "scheduled":
                    raise Conflict(
                        problem or "the meetup takes no registrations", field="meetup_id"
                    )
                raise Conflict(
                    "the meetup is full and has no waitlist", field="meetup_id", reason="full"
                )
            m = current
        raise Conflict("too much contention; try again", field="meetup_id")

    async def _finish(
        self, r: dict[str, Any], m: dict[str, Any], status: str, *, position: int | None = None
    ) -> dict[str, Any]:
        """Step 3: the registration's status and its event, in one write."""
        snapshot = meetup_rules.snapshot(m, self.public_base_url)
        common = dict(
            registration_id=r["_id"],
            meetup=snapshot,
            participant=rules.participant(r),
            short_code=r.get("short_code"),
        )
        now = utcnow()
        if status == "confirmed":
            event = RegistrationConfirmed(**common)
            fields = {"status": "confirmed", "confirmed_at": now}
        else:
            event = RegistrationWaitlisted(**common, position=position or 1)
            fields = {"status": "waitlisted", "waitlisted_at": now}
        done = await self.registrations.find_one_and_update(
            {"_id": r["_id"], "status": "pending"},
            push_outbox({"$set": fields}, new_event(event)),
            return_document=ReturnDocument.AFTER,
        )
        self.kick()
        return strip_outbox(done) if done is not None else await self.get(r["_id"])

    # -- promotion and cancellation ----------------------------------------------------

    async def promote(self, meetup_id: str) -> int:
        """Give free seats to the head of the waitlist, one conditional move at a time."""
        promoted = 0
        for _ in range(10_000):
            m = await self.meetups.find_one({"_id": meetup_id}, {"_outbox": 0})
            if m is None or m["status"] != "scheduled":
                return promoted
            limit = meetup_rules.seat_limit(m)
            if m["confirmed"] >= limit or not m.get("waitlist"):
                return promoted
            first = m["waitlist"][0]
            moved = await self.meetups.update_one(
                {
                    "_id": meetup_id,
                    "status": "scheduled",
                    "capacity": m["capacity"],
                    "reserved_seats": m.get("reserved_seats", 0),
                    "confirmed": {"$lt": limit},
                    "waitlist.0": first,
                },
                {
                    "$pop": {"waitlist": -1},
                    "$push": {"seats": first},
                    "$inc": {"confirmed": 1, "waiting": -1},
                },
            )
            if moved.modified_count == 0:
                continue
            if await self._mark_promoted(first, m):
                promoted += 1
        return promoted

    async def _mark_promoted(self, rid: str, m: dict[str, Any]) -> bool:
        r = await self.registrations.find_one({"_id": rid}, {"_outbox": 0})
        if r is None or r["status"] == "cancelled":  # it left meanwhile: free the seat again
            await self.meetups.update_one(
                {"_id": m["_id"], "seats": rid},
                {"$pull": {"seats": rid}, "$inc": {"confirmed": -1}},
            )
            return False
        if r["status"] == "confirmed":
            return False
        snapshot = meetup_rules.snapshot(m, self.public_base_url)
        common = dict(
            registration_id=rid,
            meetup=snapshot,
            participant=rules.participant(r),
            short_code=r.get("short_code"),
        )
        now = utcnow()
        if r["status"] == "pending":  # seated before it ever heard it waited
            event = RegistrationConfirmed(**common)
            fields: dict[str, Any] = {"status": "confirmed", "confirmed_at": now}
        else:
            event = RegistrationPromoted(**common)
            fields = {"status": "confirmed", "confirmed_at": now, "promoted_at": now}
        done = await self.registrations.update_one(
            {"_id": rid, "status": r["status"]}, push_outbox({"$set": fields}, new_event(event))
        )
        self.kick()
        if done.modified_count == 0:
            return await self._mark_promoted(rid, m)
        return True

    async def cancel(self, registration_id: str, *, by: str) -> dict[str, Any]:
        for _ in range(50):
            r = await self.get(registration_id)
            if r["status"] == "cancelled":
                return r
            if r["status"] == "pending":
                r = await self._settled(r)
                continue
            m = await self.meetups.find_one({"_id": r["meetup_id"]}, {"_outbox": 0})
            if m["status"] in ("completed", "cancelled"):
                raise Conflict(
                    f"the meetup is {m['status']}: its registrations cannot change",
                    field="registration_id",
                )
            event = RegistrationCancelled(
                registration_id=r["_id"],
                meetup=meetup_rules.snapshot(m, self.public_base_url),
                participant=rules.participant(r),
                cancelled_by=by,
                previous_status=r["status"],
            )
            done = await self.registrations.find_one_and_update(
                {"_id": r["_id"], "status": r["status"]},
                push_outbox(
                    {"$set": {"status": "cancelled", "cancelled_at": utcnow(), "cancelled_by": by}},
                    new_event(event),
                ),
                return_document=ReturnDocument.AFTER,
            )
            if done is None:
                continue  # promoted meanwhile: cancel what it is now
            self.kick()
            await self._release(r["_id"], m["_id"])
            await self.promote(m["_id"])
            return strip_outbox(done)
        raise Conflict("too much contention; try again", field="registration_id")

    async def _release(self, rid: str, meetup_id: str) -> None:
        await self.meetups.update_one(
            {"_id": meetup_id, "seats": rid}, {"$pull": {"seats": rid}, "$inc": {"confirmed": -1}}
        )
        await self.meetups.update_one(
            {"_id": meetup_id, "waitlist": rid},
            {"$pull": {"waitlist": rid}, "$inc": {"waiting": -1}},
        )

    async def reconcile(self) -> int:
        """Finish what a crash left half-done (see the module docstring); returns repairs."""
        repairs = 0
        stale = utcnow() - STALE_PENDING
        async for r in self.registrations.find(
            {"status": "pending", "created_at": {"$lt": stale}}, {"_outbox": 0}
        ):
            with contextlib.suppress(Conflict, NotFound):
                await self._seat(r, await self._meetup(r["meetup_id"]))
            repairs += 1
        async for m in self.meetups.find({"status": "scheduled"}, {"_outbox": 0}):
            ids = list(m.get("seats", [])) + list(m.get("waitlist", []))
            async for r in self.registrations.find(
                {"_id": {"$in": ids}, "status": {"$in": ["cancelled", "waitlisted"]}},
                {"_outbox": 0},
            ):
                if r["status"] == "cancelled":
                    await self._release(r["_id"], m["_id"])
                    repairs += 1
                elif r["_id"] in m.get("seats", []):
                    repairs += int(await self._mark_promoted(r["_id"], m))
            repairs += await self.promote(m["_id"])
        return repairs

    # -- staff ------------------------------------------------------------------------

    async def list(
        self,
        meetup_id: str,
        *,
        status: str | None = None,
        role: str | None = None,
        organization_id: str | None = None,
        q: str | None = None,
    ) -> list[dict[str, Any]]:
        m = await self._meetup(meetup_id)
        query: dict[str, Any] = {"meetup_id": m["_id"]}
        if status == "no_show":
            query.update(status="confirmed", no_show=True)
        elif status:
            query["status"] = status
        if role:
            query["role"] = role
        if organization_id:
            query["organization_id"] = organization_id
        if q:
            import re

            query["search"] = {"$regex": re.escape(normalise(q))}
        waitlist = {rid: i + 1 for i, rid in enumerate(m.get("waitlist", []))}
        cursor = self.registrations.find(query, {"_outbox": 0}).sort("created_at", 1)
        return [rules.staff_view(r, waitlist.get(r["_id"])) async for r in cursor]

    async def check_in(
        self, meetup_id: str, registration_id: str | None, code: str | None
    ) -> tuple[dict[str, Any], bool]:
        m = await self._meetup(meetup_id)
        if m["status"] == "cancelled":
            raise Conflict("the meetup was cancelled", field="meetup_id")
        if registration_id:
            r = await self.registrations.find_one(
                {"_id": registration_id, "meetup_id": m["_id"]}, {"_outbox": 0}
            )
            field = "registration_id"
        elif code:
            r = await self.registrations.find_one(
                {"meetup_id": m["_id"], "short_code": code.strip().upper()}, {"_outbox": 0}
            )
            field = "short_code"
        else:
            raise InvalidInput("give a registration_id or a short_code", field="registration_id")
        if r is None:
            raise NotFound("no such registration for this meetup", field=field)
        if r["status"] != "confirmed":
            raise Conflict(f"the registration is {r['status']}", field="status")
        if r.get("checked_in_at"):
            return r, False
        now = utcnow()
        await self.record_attendance(
            m,
            person=r["person_key"],
            role=r["role"],
            name=r["name"],
            organization_id=r.get("organization_id"),
            organization_name=r.get("organization_name"),
            registration_id=r["_id"],
            at=now,
        )
        done = await self.registrations.find_one_and_update(
            {"_id": r["_id"]},
            {"$set": {"checked_in_at": now, "no_show": False}},
            return_document=ReturnDocument.AFTER,
            projection={"_outbox": 0},
        )
        return done, True

    async def record_attendance(
        self,
        m: dict[str, Any],
        *,
        person: str,
        role: str,
        name: str | None,
        organization_id: str | None,
        organization_name: str | None,
        registration_id: str | None,
        at,
        after_the_fact: bool = False,
    ) -> bool:
        """One attendance per person per meetup (its id says so): repeating changes nothing."""
        attendance_id = f"{m['_id']}:{person}"
        event = AttendanceRecorded(
            attendance_id=attendance_id,
            meetup_id=m["_id"],
            meetup_title=m["title"],
            meetup_starts_at=m["starts_at"],
            person_key=person,
            role=role,
            organization_id=organization_id,
            registration_id=registration_id,
            checked_in_at=at,
            recorded_after_the_fact=after_the_fact,
        )
        doc = {
            "_id": attendance_id,
            "meetup_id": m["_id"],
            "meetup_starts_at": m["starts_at"],
            "person_key": person,
            "name": name,
            "role": role,
            "organization_id": organization_id,
            "organization_name": organization_name,
            "registration_id": registration_id,
            "checked_in_at": at,
            "recorded_after_the_fact": after_the_fact,
            "id": new_id(),
        }
        try:
            await self.db["attendances"].insert_one(with_outbox(doc, new_event(event)))
        except DuplicateKeyError:
            return False
        self.kick()
        return True
