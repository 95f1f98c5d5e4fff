"""The practice report: the period's records loaded through the repositories, the
arithmetic done by ``domain.report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from nkohub_events.domain.report import Period, PeriodRecords, practice_report
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.consultations import SlotRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.organizations import OrganizationRepository
from nkohub_events.repository.posts import PostRepository


class ReportService:
    def __init__(
        self,
        meetups: MeetupRepository,
        attendances: AttendanceRepository,
        slots: SlotRepository,
        posts: PostRepository,
        organizations: OrganizationRepository,
        *,
        timezone: str,
    ) -> None:
        self._meetups = meetups
        self._attendances = attendances
        self._slots = slots
        self._posts = posts
        self._organizations = organizations
        self._timezone = timezone

    async def practice(self, start: date, end: date) -> dict[str, Any]:
        """The results table for the days from ``start`` to ``end`` (the venue's days)."""
        period = Period(start, end, self._timezone)
        meetups = await self._meetups.starting_between(period.since, period.until)
        records = PeriodRecords(
            meetups=meetups,
            attendances=await self._attendances.of_meetups([m["_id"] for m in meetups]),
            consultations=await self._slots.completed_given_between(
                start.isoformat(), end.isoformat()
            ),
            posts=await self._posts.published_between(period.since, period.until),
            views=await self._posts.views_between(period.since, period.until),
            organizations=await self._organizations.all(),
        )
        return practice_report(period, records)
