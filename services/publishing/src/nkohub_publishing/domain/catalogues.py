"""What staff keep in the three lists: grant competitions, foundations, official documents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.inputs import Day, Instant, Note, Short, Text, Url
from nkohub_publishing.domain.limits import AMOUNT_MAX, ID_MAX

FileRef = Annotated[str, StringConstraints(max_length=ID_MAX)]


class CompetitionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    operator: Text | None = None
    directions: list[Text] | None = Field(default=None, max_length=40)
    opens_at: Instant | None = None
    closes_at: Instant | None = None
    results_at: Instant | None = None
    max_amount: int | None = Field(default=None, ge=0, le=AMOUNT_MAX)
    url: Url | None = None
    eligibility: Note | None = None
    region: Short | None = None
    file_id: FileRef | None = None  # an uploaded file: the regulations, a calendar (PDF)


class CompetitionCreate(CompetitionFields):
    name: Text
    operator: Text
    closes_at: Instant


class FoundationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text | None = None
    description: Note | None = None
    url: Url | None = None
    directions: list[Text] | None = Field(default=None, max_length=40)


class FoundationCreate(FoundationFields):
    name: Text


class DocumentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text | None = None
    url: Url | None = None
    file_id: FileRef | None = None  # an uploaded file instead of a link (its URL is set)
    issuer: Short | None = None
    issued_on: Day | None = None
    description: Note | None = None


class DocumentCreate(DocumentFields):
    """A document is a link or an uploaded file (``file_id``; its public URL becomes the
    document's ``url``)."""

    title: Text

    @model_validator(mode="after")
    def _link_or_file(self) -> DocumentCreate:
        if self.url is None and self.file_id is None:
            raise ValueError("give the document's url or file_id")
        return self


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
