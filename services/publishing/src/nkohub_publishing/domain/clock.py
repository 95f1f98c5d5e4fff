"""The clock and the local calendar: the blog's days are Europe/Samara days (Glazov)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SAMARA = ZoneInfo("Europe/Samara")


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SAMARA).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local day as instants [start, end)."""
    start = datetime.combine(day, time(), SAMARA)
    return start, start + timedelta(days=1)
