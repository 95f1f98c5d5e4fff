"""The practice report as the console shows it: the results table of one period beside
another (a year beside the year before), and the breakdowns the charts draw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nkohub_shared.russian import MONTHS_GENITIVE

# The passport's table (section 9), in its order, with the events service's keys.
INDICATORS = (
    ("meetups_held", "Проведено митапов"),
    ("other_meetings_held", "Внеплановых встреч и дней консультаций"),
    ("ngos_took_part", "НКО приняли участие"),
    ("participants", "Участников (уникальных)"),
    ("attendances", "Посещений (всего)"),
    ("consultations_given", "Консультаций НКО"),
    ("posts_published", "Записей в блоге «Проект +»"),
    ("post_views", "Просмотров блога"),
)
MONTHS_SHORT = (
    "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def label(self) -> str:
        if self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31):
            return f"{self.start.year} год"
        return f"{self.start:%d.%m.%Y} — {self.end:%d.%m.%Y}"

    def before(self) -> Period:
        """The same stretch one year earlier (29 February becomes the 28th)."""
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        out, cursor = [], date(self.start.year, self.start.month, 1)
        while cursor <= self.end:
            following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
            last = date.fromordinal(following.toordinal() - 1)
            out.append(Period(max(cursor, self.start), min(last, self.end)))
            cursor = following
        return out


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def month_label(period: Period) -> str:
    return MONTHS_SHORT[period.start.month - 1]


def month_title(month: int, year: int) -> str:
    return f"{MONTHS_GENITIVE[month - 1]} {year}"


@dataclass(frozen=True)
class ComparedRow:
    key: str
    label: str
    current: int | float
    previous: int | float | None

    @property
    def change(self) -> str:
        """«+12», «−3», «0» or «—» (nothing to compare with)."""
        if self.previous is None:
            return "—"
        delta = self.current - self.previous
        if delta > 0:
            return f"+{delta:g}"
        if delta < 0:
            return f"−{-delta:g}"
        return "0"


def compared(current: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[ComparedRow]:
    """The results table of ``current`` with ``previous`` beside it."""
    return [
        ComparedRow(
            key,
            label,
            current.get(key, 0),
            None if previous is None else previous.get(key, 0),
        )
        for key, label in INDICATORS
    ]


def specialty_series(
    rows: Sequence[Mapping[str, Any]], other: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[int], list[int]]:
    """Specialties of either period, with the consultations of each in both."""
    mine = {r["specialty"]: int(r["consultations"]) for r in rows}
    theirs = {r["specialty"]: int(r["consultations"]) for r in other}
    keys = sorted(set(mine) | set(theirs))
    return keys, [mine.get(k, 0) for k in keys], [theirs.get(k, 0) for k in keys]
