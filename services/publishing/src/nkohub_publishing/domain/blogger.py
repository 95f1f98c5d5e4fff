"""The old blog: reading a Blogger export (Atom XML) and a CSV of its view history, and
what an imported post looks like."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.posts import Category, PostStatus, new_post
from nkohub_publishing.domain.text import normalize, normalize_tag
from nkohub_shared.errors import InvalidInput

ATOM = "{http://www.w3.org/2005/Atom}"
APP = "{http://purl.org/atom/app#}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_POST = "http://schemas.google.com/blogger/2008/kind#post"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
DEFAULT_AUTHOR = "Проект +"
UNTITLED = "Без названия"
GRANT_WORDS = ("конкурс", "грант")


@dataclass
class BloggerEntry:
    blogger_id: str
    title: str
    html: str
    labels: list[str]
    published: datetime
    updated: datetime | None
    url: str | None
    author: str | None
    draft: bool

    @property
    def post_id(self) -> str:
        """Derived from its origin, so a second import finds the first one's post."""
        return f"blogger-{self.blogger_id}"

    @property
    def legacy_path(self) -> str | None:
        """The old address's path (``/2019/03/post.html``), which redirects to the post."""
        return (urlsplit(self.url).path or None) if self.url else None


@dataclass
class ImportReport:
    entries: int = 0
    posts_found: int = 0
    created: int = 0
    already_imported: int = 0
    drafts: int = 0
    redirects: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _safe_xml(data: bytes) -> ET.Element:
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise InvalidInput("a Blogger export has no DOCTYPE or entities", field="file")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InvalidInput(f"not well-formed XML: {exc}", field="file") from None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_blogger(data: bytes) -> tuple[list[BloggerEntry], int, list[str]]:
    """The post entries of a Blogger export; also the number of entries and problems."""
    root = _safe_xml(data)
    if root.tag != f"{ATOM}feed":
        raise InvalidInput("expected an Atom <feed> (a Blogger export)", field="file")
    entries = root.findall(f"{ATOM}entry")
    posts: list[BloggerEntry] = []
    problems: list[str] = []
    for entry in entries:
        kinds = {
            c.get("term")
            for c in entry.findall(f"{ATOM}category")
            if c.get("scheme") == KIND_SCHEME
        }
        if KIND_POST not in kinds:
            continue  # settings, template, comments, pages
        raw_id = (entry.findtext(f"{ATOM}id") or "").strip()
        match = re.search(r"post-(\d+)", raw_id)
        title = (entry.findtext(f"{ATOM}title") or "").strip()
        published = _time(entry.findtext(f"{ATOM}published"))
        if not match or published is None:
            problems.append(f"{raw_id or '(no id)'}: no post id or publication date")
            continue
        labels = [
            c.get("term", "")
            for c in entry.findall(f"{ATOM}category")
            if c.get("scheme") == LABEL_SCHEME and c.get("term")
        ]
        url = next(
            (
                link.get("href")
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel") == "alternate"
            ),
            None,
        )
        control = entry.find(f"{APP}control")
        draft = control is not None and (control.findtext(f"{APP}draft") or "") == "yes"
        posts.append(
            BloggerEntry(
                blogger_id=match.group(1),
                title=title or UNTITLED,
                html=entry.findtext(f"{ATOM}content") or "",
                labels=labels,
                published=published,
                updated=_time(entry.findtext(f"{ATOM}updated")),
                url=url,
                author=entry.findtext(f"{ATOM}author/{ATOM}name"),
                draft=draft,
            )
        )
    return posts, len(entries), problems


def guess_category(labels: list[str]) -> Category:
    """The blog's category from the old labels (the first rule that matches wins)."""
    text = normalize(" ".join(labels))
    if "митап" in text or "встреч" in text:
        return Category.MEETUP_ANNOUNCEMENTS
    if "фонд" in text:
        return Category.FOUNDATIONS
    if "документ" in text or "закон" in text:
        return Category.OFFICIAL_DOCUMENTS
    if any(w in text for w in GRANT_WORDS):
        return Category.GRANT_COMPETITIONS
    if "методич" in text or "совет" in text:
        return Category.METHODOLOGY
    return Category.NGO_NEWS


def imported_post(entry: BloggerEntry, *, slug: str, now: datetime) -> Document:
    """The post of an entry: its HTML kept (sanitised), its date and old address kept."""
    return {
        "_id": entry.post_id,
        **new_post(
            title=entry.title,
            body=entry.html,
            category=guess_category(entry.labels),
            slug=slug,
            slug_explicit=True,
            author=entry.author or DEFAULT_AUTHOR,
            now=now,
            status=PostStatus.DRAFT if entry.draft else PostStatus.PUBLISHED,
            published_at=None if entry.draft else entry.published,
            tags=list(dict.fromkeys(normalize_tag(x) for x in entry.labels if x.strip())),
            body_format="html",
            blogger_id=entry.blogger_id,
            legacy_url=entry.url,
        ),
    }


# ---------------------------------------------------------------- view history


@dataclass(frozen=True)
class ViewRow:
    line: int
    ref: str  # the post: an old URL, a path or a slug
    day: date
    views: int


def parse_views_csv(data: bytes) -> tuple[list[ViewRow], list[str]]:
    """Rows ``post,date,views`` (a header row is allowed; ``,``, ``;`` or tab); also the
    problems of the lines that were left out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8", field="file") from None
    rows: list[ViewRow] = []
    problems: list[str] = []
    for line_no, row in enumerate(_csv_reader(text), 1):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < 3:
            problems.append(f"line {line_no}: expected post, date, views")
            continue
        ref, day_text, views_text = (c.strip() for c in row[:3])
        try:
            day = date.fromisoformat(day_text)
            views = int(views_text)
            if views < 0:
                raise ValueError
        except ValueError:
            if line_no == 1:
                continue  # a header
            problems.append(f"line {line_no}: bad date or views ({day_text!r}, {views_text!r})")
            continue
        rows.append(ViewRow(line_no, ref, day, views))
    return rows, problems


CSV_DELIMITERS = ",;\t"


def _csv_reader(text: str) -> Iterator[list[str]]:
    sample = text[:2048]
    if not sample.strip():
        return csv.reader(io.StringIO(text))
    try:
        dialect = csv.Sniffer().sniff(sample, CSV_DELIMITERS)
    except csv.Error:  # rows too uneven for the sniffer: the delimiter used most
        return csv.reader(io.StringIO(text), delimiter=max(CSV_DELIMITERS, key=sample.count))
    return csv.reader(io.StringIO(text), dialect)


def ref_path_and_slug(ref: str) -> tuple[str, str]:
    """How a row names its post: the path of an old address (``""`` if none) and the slug
    to try (the address's last segment, or the reference itself)."""
    path = urlsplit(ref).path if "://" in ref or ref.startswith("/") else ""
    slug = path.rstrip("/").rsplit("/", 1)[-1] if path else ref
    return path, slug
