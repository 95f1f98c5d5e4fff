"""Who came: check-in at the door (by registration id or short code) and sign-in sheets
imported afterwards (issue 7). One attendance per person per meetup, with its event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nkohub_contracts import new_event
from nkohub_events.domain import audit, sign_in_sheets
from nkohub_events.domain import registrations as registration_rules
from nkohub_events.domain.attendance import Attendee, attendance, from_registration
from nkohub_events.domain.common import utcnow
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.organizations import OrganizationRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_events.service.erasure import ErasedPeople
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.ids import new_id

Meetup = dict[str, Any]


class AttendanceService:
    def __init__(
        self,
        attendances: AttendanceRepository,
        registrations: RegistrationRepository,
        meetups: MeetupRepository,
        organizations: OrganizationRepository,
        erased: ErasedPeople,
    ) -> None:
        self._erased = erased
        self._attendances = attendances
        self._registrations = registrations
        self._meetups = meetups
        self._organizations = organizations

    async def _meetup(self, meetup_id: str, *, drafts: bool = False) -> Meetup:
        m = await self._meetups.find(meetup_id)
        if m is None or (m["status"] == "draft" and not drafts):
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def _record(
        self, m: Meetup, who: Attendee, *, at: datetime, after_the_fact: bool = False
    ) -> bool:
        doc, event = attendance(m, who, at=at, after_the_fact=after_the_fact, record_id=new_id())
        return await self._attendances.record(doc, new_event(event))

    async def check_in_registration(
        self, registration_id: str, *, actor: str
    ) -> tuple[dict[str, Any], bool]:
        r = await self._registrations.get(registration_id)
        if r is None:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id")
        return await self.check_in(r["meetup_id"], registration_id=registration_id, actor=actor)

    async def check_in(
        self,
        meetup_id: str,
        *,
        registration_id: str | None = None,
        code: str | None = None,
        actor: str,
    ) -> tuple[dict[str, Any], bool]:
        """The registration after check-in, and whether this was its first check-in;
        ``actor``: the staff member at the door (in the registration's history)."""
        m = await self._meetup(meetup_id)
        registration_rules.require_check_in_open(m)
        if registration_id:
            r = await self._registrations.of_meetup(m["_id"], registration_id)
            field = "registration_id"
        elif code:
            r = await self._registrations.by_short_code(m["_id"], code.strip().upper())
            field = "short_code"
        else:
            raise InvalidInput("give a registration_id or a short_code", field="short_code")
        if r is None:
            raise NotFound("no such registration for this meetup", field=field)
        if not registration_rules.first_check_in(r):
            return r, False
        now = utcnow()
        await self._record(m, from_registration(r), at=now)
        done = await self._registrations.checked_in(
            r["_id"], now, audit.entry(actor, "checked_in", now)
        )
        return done or r, True

    async def import_sheet(
        self, meetup_id: str, rows: list[dict[str, str]], *, actor: str
    ) -> dict[str, Any]:
        """A sign-in sheet as attendances; importing the same sheet again records nothing
        new. A meetup that took place (or was recorded after the fact) gets the meetup's
        start as the check-in time."""
        m = await self._meetup(meetup_id, drafts=True)
        if m["status"] == "cancelled":
            raise Conflict("the meetup was cancelled", field="meetup_id")
        if m["status"] == "draft" and not m.get("recorded_after_the_fact"):
            raise Conflict("the meetup has not been published", field="meetup_id")
        entries, errors = sign_in_sheets.entries(
            rows,
            await self._registrations.all_of_meetup(m["_id"]),
            await self._organizations.all(),
        )
        erased = await self._erased.among([e.attendee.person_key for e in entries])
        entries = sign_in_sheets.without_erased(entries, erased)
        after_the_fact = m["status"] == "completed" or bool(m.get("recorded_after_the_fact"))
        recorded = repeated = 0
        for entry in entries:
            at = m["starts_at"] if after_the_fact else utcnow()
            if not await self._record(m, entry.attendee, at=at, after_the_fact=after_the_fact):
                repeated += 1
                continue
            recorded += 1
            if entry.registration is not None and entry.registration["status"] == "confirmed":
                now = utcnow()
                await self._registrations.checked_in_if_not_yet(
                    entry.registration["_id"], now, audit.entry(actor, "checked_in", now)
                )
        return {
            "rows": len(rows),
            "recorded": recorded,
            "already_recorded": repeated,
            "errors": errors,
        }
