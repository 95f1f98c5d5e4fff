"""Imports of the old blog: posts from a Blogger export (Atom XML) and historical view
counts from a CSV (post URL or slug, date, views). Both are idempotent."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from nkohub_publishing import domain
from nkohub_publishing.domain import Category, PostStatus
from nkohub_publishing.repository import now_utc
from nkohub_shared.errors import InvalidInput

ATOM = "{http://www.w3.org/2005/Atom}"
APP = "{http://purl.org/atom/app#}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_POST = "http://schemas.google.com/blogger/2008/kind#post"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"

Progress = Callable[[int, int], None]


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
                title=title or "Без названия",
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


GRANT_WORDS = ("конкурс", "грант")


def guess_category(labels: list[str]) -> Category:
    text = domain.normalize(" ".join(labels))
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


async def import_blogger(ctx: Any, data: bytes, progress: Progress | None = None) -> ImportReport:
    entries, total, problems = parse_blogger(data)
    report = ImportReport(entries=total, posts_found=len(entries), skipped=problems)
    for n, entry in enumerate(entries, 1):
        post_id = f"blogger-{entry.blogger_id}"
        slug = await ctx.posts.reserve_slug(domain.make_slug(entry.title), post_id)
        tags = list(dict.fromkeys(domain.normalize_tag(x) for x in entry.labels if x.strip()))
        status = PostStatus.DRAFT if entry.draft else PostStatus.PUBLISHED
        now = now_utc()
        doc = {
            "_id": post_id,
            "title": entry.title,
            "slug": slug,
            "slug_explicit": True,
            "body": entry.html,
            "category": guess_category(entry.labels).value,
            "tags": tags,
            "cover_image_url": None,
            "attachments": [],
            "author": entry.author or "Проект +",
            "status": status.value,
            "published_at": None if entry.draft else entry.published,
            "publish_at": None,
            "created_at": now,
            "updated_at": now,
            "views": 0,
            "blogger_id": entry.blogger_id,
            "legacy_url": entry.url,
            **domain.rendered_fields(entry.title, entry.html, None, "html"),
        }
        created = await ctx.posts.insert_imported(doc, published=not entry.draft)
        if created:
            report.created += 1
            report.drafts += int(entry.draft)
        else:
            report.already_imported += 1
        if entry.url:
            path = urlsplit(entry.url).path
            if path:
                await ctx.posts.add_redirect(path, post_id)
                report.redirects += 1
        if progress:
            progress(n, len(entries))
    return report


# ---------------------------------------------------------------- historical views


async def _resolve_post(ctx: Any, ref: str, cache: dict[str, str | None]) -> str | None:
    if ref in cache:
        return cache[ref]
    post_id: str | None = None
    path = urlsplit(ref).path if "://" in ref or ref.startswith("/") else ""
    slug = ref
    if path:
        held = await ctx.posts.redirects.find_one({"_id": path})
        if held:
            post_id = held["post_id"]
        slug = path.rstrip("/").rsplit("/", 1)[-1]
    if post_id is None and slug:
        held = await ctx.posts.slugs.find_one({"_id": slug})
        post_id = held["post_id"] if held else None
    cache[ref] = post_id
    return post_id


async def import_views_csv(ctx: Any, data: bytes) -> dict[str, Any]:
    """Rows ``post,date,views`` (a header row is allowed); one event per day."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8", field="file") from None
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    unknown: list[str] = []
    cache: dict[str, str | None] = {}
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, ",;\t") if sample.strip() else csv.excel
    for line_no, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
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
        post_id = await _resolve_post(ctx, ref, cache)
        if post_id is None:
            unknown.append(f"line {line_no}: no post {ref!r}")
            continue
        per_day[day][post_id] += views
    outcome: dict[str, list[str]] = {"imported": [], "already": [], "live": []}
    for day in sorted(per_day):
        result = await ctx.views.import_day(day, dict(per_day[day]))
        outcome[result].append(day.isoformat())
    return {
        "days_imported": outcome["imported"],
        "days_already_imported": outcome["already"],
        "days_skipped_live_counting": outcome["live"],
        "views_imported": sum(
            sum(per_day[date.fromisoformat(d)].values()) for d in outcome["imported"]
        ),
        "unknown_posts": unknown,
        "problems": problems,
    }
