"""Meetups: create, change, publish, cancel and complete; each change others must hear
about carries its event in the same single-document write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from nkohub_contracts import CloudEvent, IntegrationEvent, new_event
from nkohub_contracts.common import MeetupSnapshot
from nkohub_events.domain import audit, copies, speakers
from nkohub_events.domain import meetups as rules
from nkohub_events.domain.common import day_start, utcnow
from nkohub_events.domain.consultations import check_no_overlap, slot_end
from nkohub_events.domain.figures import known_names, meetup_figures
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.consultations import SlotRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.organizations import OrganizationRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_events.service.registrations import RegistrationService
from nkohub_shared.errors import Conflict, NotFound
from nkohub_shared.ids import new_id

MAX_RETRIES = 20
Meetup = dict[str, Any]


class MeetupService:
    def __init__(
        self,
        meetups: MeetupRepository,
        registrations: RegistrationRepository,
        attendances: AttendanceRepository,
        slots: SlotRepository,
        organizations: OrganizationRepository,
        seats: RegistrationService,
        *,
        public_base_url: str,
        timezone: str,
    ) -> None:
        self._meetups = meetups
        self._registrations = registrations
        self._attendances = attendances
        self._slots = slots
        self._organizations = organizations
        self._seats = seats
        self._base_url = public_base_url
        self._timezone = timezone

    def snapshot(self, m: Meetup) -> MeetupSnapshot:
        return rules.snapshot(m, self._base_url)

    async def get(self, meetup_id: str) -> Meetup:
        """Any meetup, drafts included (staff), by id or slug."""
        m = await self._meetups.find(meetup_id)
        if m is None:
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def get_published(self, meetup_id: str) -> Meetup:
        """A meetup anyone may see: drafts do not exist for the public."""
        return await self.visible(meetup_id, staff=False)

    async def visible(self, meetup_id: str, *, staff: bool) -> Meetup:
        m = await self.get(meetup_id)
        if m["status"] == "draft" and not staff:
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m

    async def browse(
        self,
        *,
        staff: bool,
        status: rules.Status | None = None,
        upcoming: bool = False,
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> list[Meetup]:
        """Published meetups (staff: drafts too) of a status, upcoming or starting on the
        venue's days from ``first_day`` to ``last_day``."""
        allowed = rules.STATUSES if staff else rules.PUBLISHED
        if status is not None and status not in allowed:
            return []
        starts_from = utcnow() if upcoming else self._day(first_day)
        starts_to = self._day(last_day + timedelta(days=1)) if last_day else None
        return await self._meetups.list(
            statuses=[status] if status else list(allowed),
            starts_from=starts_from,
            starts_to=starts_to,
        )

    def _day(self, day: date | None) -> datetime | None:
        return day_start(day, self._timezone) if day else None

    async def list(
        self,
        *,
        statuses: list[str],
        starts_from: datetime | None = None,
        starts_to: datetime | None = None,
        limit: int = 200,
    ) -> list[Meetup]:
        return await self._meetups.list(
            statuses=statuses, starts_from=starts_from, starts_to=starts_to, limit=limit
        )

    async def create(self, fields: dict[str, Any], *, staff: str) -> Meetup:
        """A draft. A start in the past records a meetup that already took place."""
        doc = rules.new_meetup(new_id(), fields, staff=staff, now=utcnow())
        return await self._insert(doc, fields.get("slug"))

    async def copy(self, meetup_id: str, starts_at: datetime, *, actor: str) -> Meetup:
        """A new draft like the meetup, on a new date: its program and free consultation
        slots moved by the same delta; nobody's registrations, questions or feedback
        (``domain.copies``)."""
        source = await self.get(meetup_id)
        now = utcnow()
        delta = copies.delta_of(source, starts_at, now)
        fields = copies.meetup_fields(source, delta)
        doc = rules.new_meetup(new_id(), fields, staff=actor, now=now, action="copied")
        doc["copied_from"] = source["_id"]
        source_slots = await self._slots.of_meetup(source["_id"])
        slots = copies.copied_slots(source_slots, doc, delta, [new_id() for _ in source_slots], now)
        for slot in slots:
            others = await self._slots.of_specialist_starting_before(
                slot["specialist"]["_id"], slot_end(slot)
            )
            check_no_overlap(others, slot["starts_at"], slot_end(slot))
        copied = await self._insert(doc, None)
        for slot in slots:
            await self._slots.insert(slot)
        return copied

    async def _insert(self, doc: Meetup, explicit: str | None) -> Meetup:
        """Insert a new meetup under its slug (or, taken, a variant of it)."""
        for slug in rules.slug_candidates(
            explicit or rules.slug_of(doc["title"], doc["starts_at"])
        ):
            doc["slug"] = slug
            try:
                await self._meetups.insert(doc)
                return doc
            except DuplicateKeyError:
                if explicit:
                    raise Conflict(f"slug {explicit!r} is taken", field="slug") from None
        raise Conflict("could not find a free slug", field="slug")

    async def update(self, meetup_id: str, patch: dict[str, Any], *, actor: str) -> Meetup:
        """Change a draft or scheduled meetup; a scheduled one tells what changed. More
        seats go to the waitlist at once."""
        changed = await self._change(meetup_id, patch, actor)
        await self._seats.promote(changed["_id"])
        return await self.get(changed["_id"])

    async def _change(self, meetup_id: str, patch: dict[str, Any], actor: str) -> Meetup:
        for _ in range(MAX_RETRIES):
            before = await self.get(meetup_id)
            changes, limit = rules.changes_of(before, patch)
            if not changes:
                return before
            sequence = before["sequence"] + 1
            after = {**before, **changes, "sequence": sequence}
            event = rules.updated_event(before, after, list(changes), self._base_url, actor=actor)
            now = utcnow()
            try:
                done = await self._meetups.change(
                    before,
                    {**changes, "sequence": sequence, "updated_at": now},
                    *_envelopes(event, speakers.listed_event(before, after)),
                    max_confirmed=limit,
                    history=audit.entry(actor, "updated", now),
                )
            except DuplicateKeyError:
                raise Conflict(f"slug {changes.get('slug')!r} is taken", field="slug") from None
            if done is not None:
                return done
        raise Conflict("the meetup is changing too fast; try again", field="meetup_id")

    async def publish(self, meetup_id: str, *, actor: str) -> Meetup:
        def events(before: Meetup, after: Meetup) -> list[IntegrationEvent | None]:
            return [
                rules.scheduled_event(after, self._base_url, actor=actor),
                speakers.listed_event(before, after),
            ]

        extra = {"published_at": utcnow()}
        return await self._move(meetup_id, "scheduled", extra, events, actor, "published")

    async def cancel(self, meetup_id: str, reason: str | None, *, actor: str) -> Meetup:
        def events(before: Meetup, after: Meetup) -> list[IntegrationEvent | None]:
            return [
                rules.cancelled_event(before, after, reason, self._base_url, actor=actor),
                speakers.listed_event(before, after),
            ]

        extra = {"cancelled_at": utcnow(), "cancel_reason": reason}
        return await self._move(meetup_id, "cancelled", extra, events, actor, "cancelled")

    async def complete(self, meetup_id: str, *, actor: str) -> Meetup:
        """Close a meetup that took place: confirmed registrations never checked in become
        no-shows (idempotent), and the completion event carries the meetup's figures."""
        before = await self.get(meetup_id)
        if not rules.may_move(before, "completed", utcnow()):
            return before
        await self._registrations.mark_no_shows(before["_id"])
        figures, organization_ids = meetup_figures(
            before,
            await self._attendances.of_meetups([before["_id"]]),
            consultations=await self._slots.count_completed(before["_id"]),
            registrations_confirmed=await self._registrations.count_confirmed(before["_id"]),
            no_shows=await self._registrations.count_confirmed(before["_id"], no_show=True),
            known=known_names(await self._organizations.all()),
        )

        def events(before: Meetup, after: Meetup) -> list[IntegrationEvent | None]:
            return [
                rules.completed_event(
                    before, after, figures, organization_ids, self._base_url, actor=actor
                )
            ]

        extra = {"completed_at": utcnow()}
        return await self._move(meetup_id, "completed", extra, events, actor, "completed")

    async def _move(
        self,
        meetup_id: str,
        to: rules.Status,
        extra: dict[str, Any],
        events_of: Callable[[Meetup, Meetup], list[IntegrationEvent | None]],
        actor: str,
        action: str,
    ) -> Meetup:
        for _ in range(MAX_RETRIES):
            before = await self.get(meetup_id)
            now = utcnow()
            if not rules.may_move(before, to, now):
                return before
            after, fields = rules.moved(before, to, extra, now)
            done = await self._meetups.change(
                before,
                fields,
                *_envelopes(*events_of(before, after)),
                history=audit.entry(actor, action, now),
            )
            if done is not None:
                return done
        raise Conflict("the meetup is changing too fast; try again", field="meetup_id")


def _envelopes(*events: IntegrationEvent | None) -> list[CloudEvent]:
    return [new_event(e) for e in events if e is not None]
