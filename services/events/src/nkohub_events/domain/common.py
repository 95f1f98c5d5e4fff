"""Value types and helpers every part of the domain uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, StringConstraints

from nkohub_shared.errors import InvalidInput
from nkohub_shared.text import one_line

DEFAULT_TZ = "Europe/Samara"

Role = Literal["ngo_representative", "official", "activist", "specialist", "media", "other"]
ROLE_LABELS = {
    "ngo_representative": "представитель НКО",
    "official": "представитель ОМС",
    "activist": "активист",
    "specialist": "специалист",
    "media": "СМИ",
    "other": "другое",
}
Specialty = Literal[
    "lawyer",
    "tax_inspector",
    "economist",
    "accountant",
    "pr",
    "animal_protection",
    "ecologist",
    "project_expert",
    "other",
]
SPECIALTY_LABELS = {
    "lawyer": "юрист",
    "tax_inspector": "налоговый инспектор",
    "economist": "экономист",
    "accountant": "бухгалтер",
    "pr": "PR-специалист",
    "animal_protection": "специалист по защите животных",
    "ecologist": "эколог",
    "project_expert": "эксперт по проектам и грантам",
    "other": "другое",
}

NAME_MAX = 200
TEXT_MAX = 300
QUESTION_MAX = 2000
COMMENT_MAX = 5000


def _filled_line(value: str) -> str:
    """One line (control characters, CR and LF among them, become spaces), not empty."""
    value = one_line(value)
    if not value:
        raise ValueError("must not be empty")
    return value


# Lengths are checked first (pydantic checks them before patterns and validators), so no
# pattern or validator ever runs on an overlong value.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(_filled_line),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(_filled_line),
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
# Their own types, not ``Field(max_length=...)`` on ``LongText``: the type's constraints
# would win over the field's.
Question = Annotated[str, StringConstraints(strip_whitespace=True, max_length=QUESTION_MAX)]
AskedQuestion = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=QUESTION_MAX)
]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMENT_MAX)]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=21, pattern=r"^\+?[0-9 ()\-]{5,20}$"),
]
Ogrn = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=15, pattern=r"^[0-9]{13}$|^[0-9]{15}$"),
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """Aware datetimes are converted; naive ones are read as the venue's local time.
    Microseconds are cut to milliseconds, what MongoDB stores."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC).replace(microsecond=(value.microsecond // 1000) * 1000)


def day_start(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """The first moment (UTC) of a day at the venue."""
    return as_utc(datetime.combine(day, time()), tz)


def local(value: datetime, tz: str = DEFAULT_TZ) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz))


def normalise(text: str) -> str:
    """Lowercase, ё→е, single spaces: for matching names typed by people."""
    return " ".join(text.lower().replace("ё", "е").split())


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except Exception:
        raise InvalidInput(f"unknown time zone {tz!r}", field="timezone") from None
    return tz
