"""The types of what staff send, with their limits (``domain.limits``): lengths are
checked first, then control characters go (one-line fields lose every one, long texts
those XML cannot carry), dates stay between 1900 and 2099."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, Field, StringConstraints, UrlConstraints

from nkohub_publishing.domain.limits import (
    AUTHOR_MAX,
    BODY_MAX,
    EXCERPT_MAX,
    FIRST_DAY,
    LAST_DAY,
    NOTE_MAX,
    SHORT_MAX,
    TAG_MAX,
    TITLE_MAX,
    URL_MAX,
)
from nkohub_publishing.domain.text import xml_safe
from nkohub_shared.text import one_line


def _required_line(value: str) -> str:
    value = one_line(value)
    if not value:
        raise ValueError("must not be empty")
    return value


def in_era(value: datetime) -> datetime:
    """An aware instant between 1900 and 2099, in UTC."""
    if value.tzinfo is None:
        raise ValueError("give the time zone, e.g. 2026-05-01T18:00:00+04:00")
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise ValueError(f"a date between {FIRST_DAY.year} and {LAST_DAY.year}")
    return value.astimezone(UTC)


_Line = StringConstraints(strip_whitespace=True, min_length=1)

Text = Annotated[str, _Line, Field(max_length=TITLE_MAX), AfterValidator(_required_line)]
Tag = Annotated[  # blank tags are dropped afterwards
    str, StringConstraints(min_length=1, max_length=TAG_MAX), AfterValidator(one_line)
]
Author = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=AUTHOR_MAX), AfterValidator(one_line)
]
Short = Annotated[  # a region, an issuer
    str, StringConstraints(strip_whitespace=True, max_length=SHORT_MAX), AfterValidator(one_line)
]
Excerpt = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=EXCERPT_MAX), AfterValidator(xml_safe)
]
Body = Annotated[str, StringConstraints(max_length=BODY_MAX), AfterValidator(xml_safe)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX), AfterValidator(xml_safe)]
Url = Annotated[AnyHttpUrl, UrlConstraints(max_length=URL_MAX)]
Instant = Annotated[datetime, AfterValidator(in_era)]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
