"""The publishing service's domain model and rules: posts, their text, views, grants.

Pure functions and pydantic input models; storage lives in ``repository``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import nh3
from markdown_it import MarkdownIt
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from slugify import slugify

SAMARA = ZoneInfo("Europe/Samara")


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


# ---------------------------------------------------------------- slugs and text

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80


def make_slug(text: str) -> str:
    """Latin slug of a (Cyrillic) title: ``Гранты для НКО`` → ``granty-dlia-nko``.

    python-slugify transliterates through text-unidecode, which follows the passport
    (ICAO) romanisation for Russian: ж→zh, х→kh, ц→ts, ч→ch, ш→sh, щ→shch, ю→iu, я→ia.
    """
    return slugify(text, max_length=SLUG_MAX, word_boundary=True) or "post"


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    """Only harmless tags, attributes and URL schemes; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(body: str) -> str:
    """Markdown → HTML with raw HTML off (it is shown as text), then sanitised."""
    return sanitize_html(_markdown.render(body))


_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    text = _TAG_RE.sub(" ", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'")):
        text = text.replace(entity, char)
    return _SPACE_RE.sub(" ", text.replace("&amp;", "&")).strip()


EXCERPT_LENGTH = 240


def derive_excerpt(html: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of the text, cut at a word, with an ellipsis."""
    text = plain_text(html)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",.;:—- ")
    return cut + "…"


def normalize(text: str) -> str:
    """Search form: lower case, ё → е."""
    return text.lower().replace("ё", "е")


_WORD_RE = re.compile(r"[0-9a-zа-я]+")


def search_words(*texts: str) -> list[str]:
    """The distinct normalised words of the texts (what search matches by prefix)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD_RE.findall(normalize(text)):
            seen.setdefault(word, None)
    return list(seen)


def query_words(query: str) -> list[str]:
    return search_words(query)[:8]


def normalize_tag(tag: str) -> str:
    return _SPACE_RE.sub(" ", tag).strip().lower()


# ---------------------------------------------------------------- views


def visitor_key(secret: str, ip: str, user_agent: str, day: date, post_id: str) -> str:
    """A one-day pseudonym of a visitor of a post: HMAC of IP + user agent + day.

    It changes every day and cannot be turned back into an address, so no personal data
    is stored; it only lets the same visitor count once per post per day."""
    message = f"{day.isoformat()}|{ip}|{user_agent}|{post_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def bucket_start(moment: datetime, seconds: int) -> datetime:
    """Start of the counting period (an hour by default) containing ``moment``."""
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SAMARA).date()


# ---------------------------------------------------------------- input models

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=200_000)]


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text
    url: AnyHttpUrl


class PostFields(BaseModel):
    """Fields staff may set on a post (all optional on update)."""

    model_config = ConfigDict(extra="forbid")

    title: Text | None = None
    slug: Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX)] | None = None
    body: LongText | None = None
    excerpt: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    category: Category | None = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] | None = Field(
        default=None, max_length=30
    )
    cover_image_url: AnyHttpUrl | None = None
    attachments: list[Attachment] | None = Field(default=None, max_length=50)
    author: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is None:
            return None
        return list(dict.fromkeys(t for t in (normalize_tag(x) for x in tags) if t))


class PostCreate(PostFields):
    title: Text
    body: LongText = ""
    category: Category


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publish_at: datetime

    @field_validator("publish_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("publish_at needs a time zone, e.g. 2026-05-01T10:00:00+04:00")
        return value.astimezone(UTC)


class Unpublish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: PostStatus = PostStatus.DRAFT

    @field_validator("to")
    @classmethod
    def _target(cls, value: PostStatus) -> PostStatus:
        if value not in (PostStatus.DRAFT, PostStatus.ARCHIVED):
            raise ValueError("a post is unpublished to draft or archived")
        return value


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


def deadline_marks_due(
    closes_at: datetime, now: datetime, days_before: list[int], done: list[int]
) -> list[int]:
    """Which reminders (days before closing) are due now and not yet sent.

    Only the nearest due mark is sent: a competition entered 2 days before its deadline
    gets the 3-day reminder, not also the 14-day one (that would be stale news)."""
    if closes_at <= now:
        return []
    due = [d for d in sorted(days_before) if now >= closes_at - timedelta(days=d)]
    if not due:
        return []
    nearest = due[0]
    return [] if nearest in done else [nearest]


def days_left(closes_at: datetime, now: datetime) -> int:
    return max(0, (closes_at.astimezone(SAMARA).date() - now.astimezone(SAMARA).date()).days)


def rendered_fields(
    title: str, body: str, explicit_excerpt: str | None, body_format: str = "markdown"
) -> dict[str, object]:
    """What a post stores derived from its text: HTML, excerpt, search words. Imported
    posts keep their HTML body (``body_format="html"``), sanitised the same way."""
    html = sanitize_html(body) if body_format == "html" else render_markdown(body)
    excerpt = explicit_excerpt if explicit_excerpt else derive_excerpt(html)
    return {
        "html": html,
        "excerpt": excerpt,
        "excerpt_explicit": bool(explicit_excerpt),
        "words": search_words(title, plain_text(html)),
        "body_format": body_format,
    }


class StaffSettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publish_meetup_announcements: bool | None = Field(
        default=None, description="publish meetup announcements at once instead of drafting"
    )
