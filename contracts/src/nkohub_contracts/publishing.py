"""Integration events published by the publishing service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nkohub_contracts.base import IntegrationEvent
from nkohub_contracts.common import Part

__all__ = [
    "FileDeleted",
    "FileUploaded",
    "GrantDeadlineApproaching",
    "PostPublished",
    "PostUnpublished",
    "PostViews",
    "ViewsCounted",
]


class PostPublished(IntegrationEvent):
    """A blog post went live (now, on its schedule, or imported with its original date)."""

    type: ClassVar[str] = "publishing.post.published"
    post_id: str
    slug: str
    title: str
    category: str
    tags: list[str] = []
    excerpt: str = ""
    url: str
    published_at: datetime
    actor: str | None = None  # the staff account that published or scheduled it (token sub)

    def subject(self) -> str:
        return self.post_id


class PostUnpublished(IntegrationEvent):
    """A published post was taken down (archived or back to draft)."""

    type: ClassVar[str] = "publishing.post.unpublished"
    post_id: str
    slug: str
    published_at: datetime | None = None
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.post_id


class PostViews(Part):
    post_id: str
    views: int


class ViewsCounted(IntegrationEvent):
    """Post views in one period (an hour live; a day for imported history). Periods do not
    overlap, so a subscriber sums them; ``views`` is the total of ``posts``."""

    type: ClassVar[str] = "publishing.views.counted"
    period_start: datetime
    period_end: datetime
    views: int
    posts: list[PostViews]

    def subject(self) -> str:
        return self.period_start.isoformat()


class GrantDeadlineApproaching(IntegrationEvent):
    """A grant competition's application window closes in ``days_left`` days."""

    type: ClassVar[str] = "publishing.grant.deadline_approaching"
    competition_id: str
    name: str
    operator: str
    closes_at: datetime
    days_left: int
    url: str | None = None
    max_amount: int | None = None
    reminder_days: int | None = None  # which reminder this is (e.g. 14 or 3 days before)

    def subject(self) -> str:
        return self.competition_id


class FileUploaded(IntegrationEvent):
    """Staff uploaded a file (an image or a PDF) to the publishing service; it is public at
    ``url`` and its bytes never change. Staff services read them at
    ``GET /api/v1/files/{file_id}/content`` (e.g. to attach it to a mailing)."""

    type: ClassVar[str] = "publishing.file.uploaded"
    file_id: str
    name: str  # the name people see (Cyrillic kept); never a path
    title: str
    content_type: str  # decided by the content: image/jpeg|png|webp|gif, application/pdf
    kind: str  # "image" or "pdf"
    size: int  # bytes
    sha256: str
    url: str
    width: int | None = None
    height: int | None = None
    actor: str | None = None  # the staff account that uploaded it (token sub)

    def subject(self) -> str:
        return self.file_id


class FileDeleted(IntegrationEvent):
    """Staff deleted a file: its URL answers 404 from now on."""

    type: ClassVar[str] = "publishing.file.deleted"
    file_id: str
    sha256: str
    actor: str | None = None

    def subject(self) -> str:
        return self.file_id
