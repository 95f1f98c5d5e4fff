"""The grants calendar: the window of a competition, deadline reminders
(``publishing.grant.deadline_approaching``) and the calendar by month."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.publishing import GrantDeadlineApproaching
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.clock import SAMARA
from nkohub_shared.errors import InvalidInput

MONTH_NAMES = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь",
    "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip


def check_window(competition: Document) -> None:
    """Applications open before the deadline; results come after it."""
    opens, closes, results = (competition.get(k) for k in ("opens_at", "closes_at", "results_at"))
    if opens and closes and opens > closes:
        raise InvalidInput("the window opens after it closes", field="opens_at")
    if results and closes and results < closes:
        raise InvalidInput("results cannot come before the deadline", field="results_at")


def deadline_moved(current: Document, changes: Document) -> bool:
    """A moved deadline is announced anew (its reminders start over)."""
    return "closes_at" in changes and changes["closes_at"] != current["closes_at"]


def deadline_marks_due(
    closes_at: datetime, now: datetime, days_before: list[int], done: list[int]
) -> list[int]:
    """Which reminders (days before closing) are due now and not yet sent.

    Only the nearest due mark is sent: a competition entered 2 days before its deadline
    gets the 3-day reminder, not also the 14-day one (that would be stale news)."""
    if closes_at <= now:
        return []
    due = [d for d in sorted(days_before) if now >= closes_at - timedelta(days=d)]
    if not due:
        return []
    nearest = due[0]
    return [] if nearest in done else [nearest]


def days_left(closes_at: datetime, now: datetime) -> int:
    """Local calendar days until the deadline's day (0 on the day itself and after)."""
    return max(0, (closes_at.astimezone(SAMARA).date() - now.astimezone(SAMARA).date()).days)


def reminder_horizon(days_before: list[int]) -> timedelta:
    """How far ahead a deadline can be and still have a reminder due."""
    return timedelta(days=max(days_before, default=0))


def grants_url(base_url: str) -> str:
    return f"{base_url}/grants"


def deadline_approaching(
    competition: Document, mark: int, now: datetime, base_url: str
) -> CloudEvent:
    """The reminder ``mark`` days before the competition's deadline."""
    return new_event(
        GrantDeadlineApproaching(
            competition_id=competition["_id"],
            name=competition["name"],
            operator=competition["operator"],
            closes_at=competition["closes_at"],
            days_left=days_left(competition["closes_at"], now),
            url=competition.get("url") or grants_url(base_url),
            max_amount=competition.get("max_amount"),
            reminder_days=mark,
        )
    )


def by_month(competitions: list[Document]) -> list[dict[str, Any]]:
    """Competitions grouped by the local month of their deadline, earliest month first."""
    months: dict[tuple[int, int], list[Document]] = defaultdict(list)
    for competition in competitions:
        local = competition["closes_at"].astimezone(SAMARA)
        months[(local.year, local.month)].append(competition)
    return [
        {"label": f"{MONTH_NAMES[m - 1]} {y}", "anchor": f"{y}-{m:02d}", "competitions": items}
        for (y, m), items in sorted(months.items())
    ]
