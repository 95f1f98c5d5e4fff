"""Today: what needs the librarian now — upcoming meetups with seats, the waitlist and
questions awaiting moderation, self-registered NGOs awaiting approval, messages that
failed, grant deadlines of the next 30 days. A service that is away leaves its part
empty with a note; the rest of the page still shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from nkohub_console.pages.common import StaffPage
from nkohub_console.service.clients import ServiceRefused, ServiceUnavailable

router = APIRouter()
DEADLINE_DAYS = 30


async def _part(work: Any, missing: list[str], label: str) -> Any:
    try:
        return await work
    except (ServiceUnavailable, ServiceRefused) as exc:
        missing.append(f"{label}: {getattr(exc, 'label', '')} {exc}".strip())
        return None


@router.get("/")
async def today(staff: StaffPage) -> Response:
    s = staff.services
    missing: list[str] = []
    meetups, proposals, failed, competitions = await asyncio.gather(
        _part(s.events.meetups(upcoming=True), missing, "встречи"),
        _part(s.registry.proposals("pending"), missing, "заявки НКО"),
        _part(s.notifications.messages({"status": "failed"}, limit=20), missing, "сообщения"),
        _part(s.publishing.catalogue("competitions"), missing, "гранты"),
    )
    meetups = [m for m in meetups or [] if m.get("status") in ("draft", "scheduled")]
    meetups.sort(key=lambda m: m["starts_at"])
    questions: dict[str, int] = {}
    if meetups:
        counts = await asyncio.gather(
            *(
                _part(s.events.questions(m["meetup_id"], ["submitted"]), missing, "вопросы")
                for m in meetups
            )
        )
        questions = {m["meetup_id"]: len(c or []) for m, c in zip(meetups, counts, strict=True)}
    now = datetime.now(UTC)
    deadlines = [
        c
        for c in competitions or []
        if c.get("closes_at") and now <= _moment(c["closes_at"]) <= now + timedelta(DEADLINE_DAYS)
    ]
    deadlines.sort(key=lambda c: c["closes_at"])
    return staff.render(
        "today.html",
        meetups=meetups,
        questions=questions,
        proposals=(proposals or {}).get("items", []),
        proposals_total=(proposals or {}).get("total", 0),
        failed=(failed or {}).get("items", []),
        failed_total=(failed or {}).get("total", 0),
        deadlines=deadlines,
        missing=missing,
    )


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
