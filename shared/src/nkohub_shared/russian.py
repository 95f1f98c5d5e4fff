"""Dates as Russian readers expect them («28 марта 2019, 15:00»), in the venue's time zone
(Europe/Samara for Glazov) — in pages, posts and e-mails alike."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Samara"
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
)  # fmt: skip


def in_zone(moment: datetime | str, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The moment in ``timezone`` (an unknown zone falls back to the default)."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    return value.astimezone(zone)


def date_ru(
    moment: datetime | str,
    timezone: str = DEFAULT_TIMEZONE,
    *,
    with_time: bool = False,
    year_suffix: bool = False,
) -> str:
    """«28 марта 2019», «28 марта 2019 г.», «28 марта 2019, 15:00» or «28 марта 2019 г., 15:00»."""
    local = in_zone(moment, timezone)
    text = f"{local.day} {MONTHS_GENITIVE[local.month - 1]} {local.year}"
    if year_suffix:
        text += " г."
    return f"{text}, {local:%H:%M}" if with_time else text
