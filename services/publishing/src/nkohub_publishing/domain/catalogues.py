"""What staff keep in the three lists: grant competitions, foundations, official documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.posts import Text


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("give the time zone, e.g. 2026-05-01T18:00:00+04:00")
    return value.astimezone(UTC) if value else None


class CompetitionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    operator: Text | None = None
    directions: list[Text] | None = Field(default=None, max_length=40)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    results_at: datetime | None = None
    max_amount: int | None = Field(default=None, ge=0)
    url: AnyHttpUrl | None = None
    eligibility: Annotated[str, StringConstraints(max_length=5000)] | None = None
    region: Annotated[str, StringConstraints(max_length=200)] | None = None

    _aware = field_validator("opens_at", "closes_at", "results_at")(lambda cls, v: aware(v))


class CompetitionCreate(CompetitionFields):
    name: Text
    operator: Text
    closes_at: datetime


class FoundationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    url: AnyHttpUrl | None = None
    directions: list[Text] | None = Field(default=None, max_length=40)


class FoundationCreate(FoundationFields):
    name: Text


class DocumentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text | None = None
    url: AnyHttpUrl | None = None
    issuer: Annotated[str, StringConstraints(max_length=300)] | None = None
    issued_on: date | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None


class DocumentCreate(DocumentFields):
    title: Text
    url: AnyHttpUrl


_DATE_FIELDS = ("opens_at", "closes_at", "results_at")


def new_entry(fields: BaseModel, entry_id: str, now: datetime) -> Document:
    """A new list entry from what staff sent."""
    entry = {"_id": entry_id, **entry_changes(fields, exclude_unset=False)}
    entry["created_at"] = entry["updated_at"] = now
    return entry


def entry_changes(fields: BaseModel, *, exclude_unset: bool = True) -> Document:
    """What staff sent as stored values (times as datetimes, not JSON strings)."""
    if exclude_unset:
        values = fields.model_dump(mode="json", exclude_unset=True)
    else:
        values = fields.model_dump(mode="json", exclude_none=True)
    for key in _DATE_FIELDS:
        if isinstance(values.get(key), str):
            values[key] = datetime.fromisoformat(values[key])
    return values
