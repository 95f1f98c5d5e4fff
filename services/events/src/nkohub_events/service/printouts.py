"""The meetup's papers for the door: the sign-in sheet and the name badges (PDF)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from nkohub_events.domain import printouts as rules
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_shared.errors import NotFound


def _sign_in_sheet(*args: Any, **kwargs: Any) -> bytes:
    # fpdf and its fonts and images take about 36 MiB: imported with the first printout
    # (in the worker thread that draws it), not when the service starts
    from nkohub_events.printouts.pdf import sign_in_sheet

    return sign_in_sheet(*args, **kwargs)


def _badges(*args: Any, **kwargs: Any) -> bytes:
    from nkohub_events.printouts.pdf import badges

    return badges(*args, **kwargs)


class PrintoutService:
    def __init__(
        self,
        meetups: MeetupRepository,
        registrations: RegistrationRepository,
        *,
        consent_version: str,
        font_dir: Path,
    ) -> None:
        self._meetups = meetups
        self._registrations = registrations
        self._consent_version = consent_version
        self._font_dir = font_dir

    async def _people(self, meetup_id: str) -> tuple[dict, list[rules.Person]]:
        m = await self._meetups.find(meetup_id, light=True)
        if m is None:
            raise NotFound(f"no meetup {meetup_id!r}", field="meetup_id")
        return m, rules.expected(await self._registrations.all_of_meetup(m["_id"]))

    async def sign_in_sheet(self, meetup_id: str, blank_lines: int) -> tuple[str, bytes]:
        """The file name and the PDF (drawn in a worker thread: it is CPU work)."""
        m, people = await self._people(meetup_id)
        heading = rules.heading(m, self._consent_version)
        body = await asyncio.to_thread(
            _sign_in_sheet, heading, people, blank_lines=blank_lines, font_dir=self._font_dir
        )
        return f"sign-in-sheet-{m['slug']}.pdf", body

    async def badges(self, meetup_id: str) -> tuple[str, bytes]:
        m, people = await self._people(meetup_id)
        body = await asyncio.to_thread(_badges, m["title"], people, font_dir=self._font_dir)
        return f"badges-{m['slug']}.pdf", body
