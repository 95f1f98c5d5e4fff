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
from nkohub_publishing.domain.limits import (
    AUTHOR_MAX,
    BODY_MAX,
    FIRST_DAY,
    IMPORT_ENTRIES_MAX,
    LAST_DAY,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    UPLOAD_MAX_BYTES,
    URL_MAX,
    VIEW_ROWS_MAX,
    VIEWS_PER_ROW_MAX,
    TooLarge,
)
from nkohub_publishing.domain.posts import Category, PostStatus, new_post
from nkohub_publishing.domain.text import normalize, normalize_tag, xml_safe
from nkohub_shared.errors import InvalidInput
from nkohub_shared.text import one_line

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


def check_size(data: bytes) -> None:
    """A file of the old blog is at most ``UPLOAD_MAX_BYTES`` (413 otherwise)."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise TooLarge(f"the file is larger than {UPLOAD_MAX_BYTES // 2**20} MB", field="file")


class _NoDoctype(Exception):
    pass


class _ExportBuilder(ET.TreeBuilder):
    """Builds the tree, refusing a DOCTYPE the moment it starts (so no entity is ever
    declared, let alone expanded: no "billion laughs", no external entities) and counting
    ``<entry>`` elements as they close (so a file of too many stops being read)."""

    def __init__(self) -> None:
        super().__init__()
        self.entries = 0

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _NoDoctype

    def end(self, tag: str) -> ET.Element:
        if tag == f"{ATOM}entry":
            self.entries += 1
            if self.entries > IMPORT_ENTRIES_MAX:
                raise TooLarge(
                    f"more than {IMPORT_ENTRIES_MAX} entries in one export", field="file"
                )
        return super().end(tag)


READ_CHUNK = 64 * 1024
ID_TEXT_MAX = 200  # an entry's <id>: tag:blogger.com,1999:blog-<digits>.post-<digits>


def _safe_xml(data: bytes) -> ET.Element:
    """The export's root element; refused when it has a DOCTYPE (in any encoding), is not
    well-formed or holds too many entries."""
    check_size(data)
    parser = ET.XMLParser(target=_ExportBuilder())
    try:
        for start in range(0, len(data), READ_CHUNK):
            parser.feed(data[start : start + READ_CHUNK])
        return parser.close()
    except _NoDoctype:
        raise InvalidInput(
            "a Blogger export has no DOCTYPE (DTDs and entities are refused)", field="file"
        ) from None
    except ET.ParseError as exc:
        raise InvalidInput(f"not well-formed XML: {exc}", field="file") from None


def _time(text: str | None) -> datetime | None:
    """An aware instant between 1900 and 2099, or ``None``."""
    if not text or len(text) > 64:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    aware = moment.tzinfo is not None
    return moment if aware and FIRST_DAY.year <= moment.year <= LAST_DAY.year else None


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
        raw_id = (entry.findtext(f"{ATOM}id") or "").strip()[:ID_TEXT_MAX]
        match = re.search(r"post-(\d+)", raw_id)
        title = (entry.findtext(f"{ATOM}title") or "").strip()
        html = entry.findtext(f"{ATOM}content") or ""
        published = _time(entry.findtext(f"{ATOM}published"))
        if not match or published is None:
            problems.append(f"{raw_id or '(no id)'}: no post id or publication date")
            continue
        if len(title) > TITLE_MAX or len(html) > BODY_MAX:
            problems.append(f"{raw_id}: title over {TITLE_MAX} or text over {BODY_MAX} characters")
            continue
        labels = [
            c.get("term", "")
            for c in entry.findall(f"{ATOM}category")
            if c.get("scheme") == LABEL_SCHEME and c.get("term")
        ]
        kept = [label for label in labels if len(label) <= TAG_MAX][:TAGS_MAX]
        if len(kept) < len(labels):
            problems.append(f"{raw_id}: labels kept: {TAGS_MAX} of {TAG_MAX} characters at most")
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
        author = one_line((entry.findtext(f"{ATOM}author/{ATOM}name") or "")[:AUTHOR_MAX])
        posts.append(
            BloggerEntry(
                blogger_id=match.group(1),
                title=one_line(title) or UNTITLED,
                html=xml_safe(html),
                labels=[one_line(label) for label in kept],
                published=published,
                updated=_time(entry.findtext(f"{ATOM}updated")),
                url=url if url and len(url) <= URL_MAX else None,
                author=author or None,
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


REF_MAX = 2000  # an old address, a path or a slug


def parse_views_csv(data: bytes) -> tuple[list[ViewRow], list[str]]:
    """Rows ``post,date,views`` (a header row is allowed; ``,``, ``;`` or tab); also the
    problems of the lines that were left out. At most ``VIEW_ROWS_MAX`` rows (413)."""
    check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8", field="file") from None
    rows: list[ViewRow] = []
    problems: list[str] = []
    try:
        for line_no, row in enumerate(_csv_reader(text), 1):
            if line_no > VIEW_ROWS_MAX:
                raise TooLarge(f"more than {VIEW_ROWS_MAX} rows in one file", field="file")
            problem = _read_row(line_no, row, rows)
            if problem:
                problems.append(problem)
    except csv.Error as exc:
        raise InvalidInput(f"not a readable CSV: {exc}", field="file") from None
    return rows, problems


def _read_row(line_no: int, row: list[str], rows: list[ViewRow]) -> str | None:
    """Adds the row's views to ``rows``; the problem of a row left out."""
    if not row or all(not c.strip() for c in row):
        return None
    if len(row) < 3:
        return f"line {line_no}: expected post, date, views"
    ref, day_text, views_text = (c.strip() for c in row[:3])
    if len(ref) > REF_MAX:
        return f"line {line_no}: the post is named in over {REF_MAX} characters"
    try:
        day = date.fromisoformat(day_text[:10]) if len(day_text) <= 10 else None
        views = int(views_text) if len(views_text) <= 9 else -1
        if day is None or not FIRST_DAY <= day <= LAST_DAY or not 0 <= views <= VIEWS_PER_ROW_MAX:
            raise ValueError
    except ValueError:
        if line_no == 1:
            return None  # a header
        return f"line {line_no}: bad date or views ({day_text[:20]!r}, {views_text[:20]!r})"
    rows.append(ViewRow(line_no, ref, day, views))
    return None


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
