"""Value types and helpers every part of the domain uses."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, StringConstraints

from nkohub_shared.errors import InvalidInput

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

EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]{2,}$")


def _email(value: str) -> str:
    value = value.strip()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise ValueError("not a valid e-mail address")
    return value


Email = Annotated[str, AfterValidator(_email)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()\-]{5,20}$")]
Ogrn = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{13}$|^[0-9]{15}$")]


def new_id() -> str:
    return secrets.token_hex(12)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """Aware datetimes are converted; naive ones are read as the venue's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC).replace(microsecond=(value.microsecond // 1000) * 1000)


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


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "-",
            "y",
            "-",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append("" if _TRANSLIT[ch] == "-" else _TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug[:60].strip("-") or "meetup"
