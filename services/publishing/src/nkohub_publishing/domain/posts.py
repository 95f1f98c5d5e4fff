"""Posts: categories, statuses and their transitions, what staff may set, edits and the
events a post records (``publishing.post.published`` / ``.unpublished``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.publishing import PostPublished, PostUnpublished
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.files import file_ids_in
from nkohub_publishing.domain.inputs import Author, Body, Excerpt, Instant, Tag, Text, Url
from nkohub_publishing.domain.limits import ID_MAX, TAGS_MAX
from nkohub_publishing.domain.text import (
    SLUG_MAX,
    SLUG_PATTERN,
    normalize_tag,
    post_slug,
    rendered_fields,
)
from nkohub_shared.errors import Conflict, InvalidInput


class Category(StrEnum):
    GRANT_COMPETITIONS = "grant-competitions"
    METHODOLOGY = "methodology"
    FOUNDATIONS = "foundations"
    OFFICIAL_DOCUMENTS = "official-documents"
    NGO_NEWS = "ngo-news"
    MEETUP_ANNOUNCEMENTS = "meetup-announcements"
    MEETUP_REPORTS = "meetup-reports"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.GRANT_COMPETITIONS: "Грантовые конкурсы",
    Category.METHODOLOGY: "Методические рекомендации",
    Category.FOUNDATIONS: "Фонды-грантодатели",
    Category.OFFICIAL_DOCUMENTS: "Официальные документы",
    Category.NGO_NEWS: "Новости НКО",
    Category.MEETUP_ANNOUNCEMENTS: "Анонсы митапов",
    Category.MEETUP_REPORTS: "Отчёты о митапах",
}


class PostStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"


SCHEDULABLE = (PostStatus.DRAFT, PostStatus.SCHEDULED)
DELETABLE = (PostStatus.DRAFT,)
UNSEEN = (PostStatus.DRAFT, PostStatus.SCHEDULED)  # readers have never seen such a post
EVER_PUBLISHED = (PostStatus.PUBLISHED, PostStatus.ARCHIVED)


# ---------------------------------------------------------------- what staff send


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text
    url: Url


class PostFields(BaseModel):
    """Fields staff may set on a post (all optional on update)."""

    model_config = ConfigDict(extra="forbid")

    title: Text | None = None
    slug: Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX)] | None = None
    body: Body | None = None
    excerpt: Excerpt | None = None
    category: Category | None = None
    tags: list[Tag] | None = Field(default=None, max_length=TAGS_MAX)
    cover_image_url: Url | None = None  # a picture elsewhere (kept for old posts)
    cover_file_id: Annotated[str, StringConstraints(max_length=ID_MAX)] | None = None
    attachments: list[Attachment] | None = Field(default=None, max_length=50)
    author: Author | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is None:
            return None
        return list(dict.fromkeys(t for t in (normalize_tag(x) for x in tags) if t))


class PostCreate(PostFields):
    title: Text
    body: Body = ""
    category: Category


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publish_at: Instant


class Unpublish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: PostStatus = PostStatus.DRAFT

    @field_validator("to")
    @classmethod
    def _target(cls, value: PostStatus) -> PostStatus:
        if value not in (PostStatus.DRAFT, PostStatus.ARCHIVED):
            raise ValueError("a post is unpublished to draft or archived")
        return value


# ---------------------------------------------------------------- a new post


def new_post(
    *,
    title: str,
    body: str,
    category: Category,
    slug: str,
    slug_explicit: bool,
    author: str,
    now: datetime,
    status: PostStatus = PostStatus.DRAFT,
    published_at: datetime | None = None,
    tags: Sequence[str] = (),
    cover_image_url: str | None = None,
    attachments: Sequence[Document] = (),
    excerpt: str | None = None,
    body_format: str = "markdown",
    **extra: Any,
) -> Document:
    """A post's stored fields (without its ``_id``), its text rendered."""
    return {
        "title": title,
        "slug": slug,
        "slug_explicit": slug_explicit,
        "body": body,
        "category": category.value,
        "tags": list(tags),
        "cover_image_url": cover_image_url,
        "attachments": list(attachments),
        "author": author,
        "status": status.value,
        "published_at": published_at,
        "publish_at": None,
        "created_at": now,
        "updated_at": now,
        "views": 0,
        **extra,
        **rendered_fields(title, body, excerpt, body_format),
    }


def staff_post(fields: PostCreate, *, slug: str, author: str, now: datetime) -> Document:
    """A draft as staff create it (``slug`` reserved for it beforehand)."""
    return new_post(
        title=fields.title,
        body=fields.body,
        category=fields.category,
        slug=slug,
        slug_explicit=bool(fields.slug),
        author=fields.author or author,
        now=now,
        tags=fields.tags or [],
        cover_image_url=str(fields.cover_image_url) if fields.cover_image_url else None,
        attachments=[a.model_dump(mode="json") for a in fields.attachments or []],
        excerpt=fields.excerpt,
        cover_file_id=fields.cover_file_id,
        file_ids=post_file_ids(fields.body, fields.cover_file_id),
    )


def post_file_ids(body: str, cover_file_id: str | None) -> list[str]:
    """The uploaded files a post points at: its cover, then those its body links to."""
    return list(dict.fromkeys([*([cover_file_id] if cover_file_id else []), *file_ids_in(body)]))


# ---------------------------------------------------------------- edits


@dataclass(frozen=True)
class PostEdit:
    """What an edit changes. The slug is left to the caller, who reserves it: ``slug`` is
    one staff chose (it must be free), ``slug_from_title`` the wish of a draft whose slug
    follows its new title (the first free variant of it is taken)."""

    changes: Document
    slug: str | None = None
    slug_from_title: str | None = None


_EDITABLE = ("title", "body", "category", "tags", "cover_image_url", "cover_file_id", "attachments")
_REMOVABLE = ("cover_image_url", "cover_file_id")  # a cover is removed with null


def edit(current: Document, fields: PostFields, now: datetime) -> PostEdit:
    """The changes ``fields`` make to ``current``. A draft's slug follows its title until
    its first publication; after that the URL stays unless staff set a new ``slug``."""
    given = fields.model_dump(exclude_unset=True, mode="json")
    changes: Document = {}
    for key in _EDITABLE:
        if key in given and (given[key] is not None or key in _REMOVABLE):
            changes[key] = given[key]
    if {"body", "cover_file_id"} & changes.keys():
        changes["file_ids"] = post_file_ids(
            changes.get("body", current["body"]),
            changes.get("cover_file_id", current.get("cover_file_id")),
        )
    if given.get("author"):
        changes["author"] = given["author"]
    title = changes.get("title", current["title"])
    slug = slug_from_title = None
    if fields.slug and fields.slug != current["slug"]:
        slug = fields.slug
    elif (
        "title" in changes
        and current.get("published_at") is None
        and not current.get("slug_explicit")
    ):
        slug_from_title = post_slug(title)
    if {"title", "body"} & changes.keys() or "excerpt" in given:
        explicit = given.get("excerpt") if "excerpt" in given else None
        if "excerpt" not in given and current.get("excerpt_explicit"):
            explicit = current["excerpt"]
        body_format = "markdown" if "body" in changes else current.get("body_format", "")
        changes.update(
            rendered_fields(
                title, changes.get("body", current["body"]), explicit, body_format or "markdown"
            )
        )
    changes["updated_at"] = now
    return PostEdit(changes, slug, slug_from_title)


# ---------------------------------------------------------------- status transitions


def publication(current: Document, now: datetime) -> Document:
    """The fields that make ``current`` published; a republished post keeps the date of
    its first publication."""
    return {
        "status": PostStatus.PUBLISHED.value,
        "published_at": current.get("published_at") or now,
        "publish_at": None,
        "updated_at": now,
    }


def due_publication(post: Document, now: datetime) -> Document:
    """The fields that make a scheduled post published: at its scheduled time."""
    return {
        "status": PostStatus.PUBLISHED.value,
        "published_at": post["publish_at"],
        "publish_at": None,
        "updated_at": now,
    }


def check_publish_at(publish_at: datetime, now: datetime) -> None:
    if publish_at <= now:
        raise InvalidInput("publish_at must be in the future", field="publish_at")


def check_schedulable(status: str) -> None:
    """Only a draft or a scheduled post is (re)scheduled; a published one is unpublished
    first."""
    if status not in SCHEDULABLE:
        raise Conflict(f"a {status} post cannot be scheduled; unpublish it first", field="status")


def scheduling(publish_at: datetime, now: datetime) -> Document:
    return {"status": PostStatus.SCHEDULED.value, "publish_at": publish_at, "updated_at": now}


def unpublication(to: PostStatus, now: datetime) -> Document:
    return {"status": to.value, "publish_at": None, "updated_at": now}


# ---------------------------------------------------------------- events


def post_url(base_url: str, slug: str) -> str:
    return f"{base_url}/posts/{slug}"


def published_event(post: Document, base_url: str, actor: str | None = None) -> CloudEvent:
    """``publishing.post.published`` of ``post`` as it is once published; ``actor``: the
    staff member who published (or scheduled) it."""
    return new_event(
        PostPublished(
            post_id=post["_id"],
            slug=post["slug"],
            title=post["title"],
            category=post["category"],
            tags=post.get("tags", []),
            excerpt=post.get("excerpt", ""),
            url=post_url(base_url, post["slug"]),
            published_at=post["published_at"],
            actor=actor,
        )
    )


def unpublished_event(post: Document, actor: str | None = None) -> CloudEvent:
    return new_event(
        PostUnpublished(
            post_id=post["_id"],
            slug=post["slug"],
            published_at=post.get("published_at"),
            actor=actor,
        )
    )
