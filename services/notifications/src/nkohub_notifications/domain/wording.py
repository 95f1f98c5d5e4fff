"""Russian wording of times, counts and sums in messages (Jinja2 filters among them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from nkohub_shared.russian import MONTHS_GENITIVE, date_ru


def when(value: datetime | str, timezone: str = "Europe/Samara") -> str:
    """``28 марта 2026 г., 18:00`` in the given time zone."""
    return date_ru(value, timezone, with_time=True, year_suffix=True)


def clock(value: datetime | str, timezone: str = "Europe/Samara") -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(ZoneInfo(timezone)):%H:%M}"


def day_ru(value: datetime) -> str:
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def days_word(n: int) -> str:
    return _plural(n, "день", "дня", "дней")


def hours_word(n: int) -> str:
    return _plural(n, "час", "часа", "часов")


def before_words(offset: timedelta) -> str:
    """``завтра`` / ``через 2 часа`` — how far a reminder is from the start."""
    seconds = int(offset.total_seconds())
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return "завтра" if days == 1 else f"через {days} {days_word(days)}"
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return f"через {hours} {hours_word(hours)}"
    minutes = max(seconds // 60, 1)
    return f"через {minutes} мин."


def money(n: int) -> str:
    return f"{n:,}".replace(",", " ")
