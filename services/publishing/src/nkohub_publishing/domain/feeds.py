"""Atom and RSS 2.0 feeds (feedgen), the sitemap and the .ics feed of grant deadlines.

What a feed says is text or sanitised HTML, never markup by accident: RSS readers render
an item's ``title`` and ``description`` (and the channel's ``title``) as HTML, so there they
are HTML-escaped text; Atom says what each element is (``title`` and ``summary`` are
``type="text"``, ``content`` is the post's sanitised HTML, ``type="html"``). Characters XML
cannot carry are dropped, so no stored value can make a feed unwritable.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.grants import grants_url
from nkohub_publishing.domain.posts import Category, post_url
from nkohub_publishing.domain.text import xml_safe

FEED_KINDS = ("atom", "rss")
SITE_PAGES = ("/", "/grants", "/foundations", "/documents", "/ngo")


def plain_text(text: str) -> str:
    """Text for an element a reader shows as text (Atom ``type="text"``)."""
    return xml_safe(text)


def html_text(text: str) -> str:
    """Text for an element a reader renders as HTML (RSS ``title``, ``description``):
    escaped, so ``<script>`` typed in a post is shown, never run."""
    return html.escape(xml_safe(text), quote=False)


def build_feed(
    *,
    kind: str,
    title: str,
    base_url: str,
    self_url: str,
    page_url: str,
    posts: list[Document],
    now: datetime,
) -> bytes:
    """``kind`` is ``atom`` or ``rss``; entries newest first; ``now`` dates an empty feed."""
    text: Callable[[str], str] = html_text if kind == "rss" else plain_text
    fg = FeedGenerator()
    fg.id(page_url)
    fg.title(text(title))
    fg.subtitle("Блог о проектной работе для НКО и активистов Глазова")
    fg.link(href=page_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language("ru")
    fg.author({"name": "Проект +"})
    updated = max((p["published_at"] for p in posts), default=now)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for post in reversed(posts):  # feedgen prepends: oldest first gives newest on top
        url = post_url(base_url, post["slug"])
        fe = fg.add_entry()
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(text(post["title"]))
        fe.link(href=url)
        fe.published(post["published_at"])
        fe.updated(post.get("updated_at") or post["published_at"])
        fe.author({"name": plain_text(post.get("author") or "Проект +")})
        fe.summary(text(post.get("excerpt") or post["title"]), type="text")
        fe.content(xml_safe(post.get("html", "")), type="html")
        for tag in post.get("tags", []):
            fe.category(term=plain_text(tag))
    return fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)


def sitemap_urls(base_url: str, posts: list[Document]) -> list[tuple[str, datetime | None]]:
    """The site's pages, its categories and every published post (with its last change)."""
    urls: list[tuple[str, datetime | None]] = [(base_url + page, None) for page in SITE_PAGES]
    urls += [(f"{base_url}/category/{c.value}", None) for c in Category]
    urls += [
        (post_url(base_url, p["slug"]), p.get("updated_at") or p.get("published_at")) for p in posts
    ]
    return urls


def build_sitemap(urls: list[tuple[str, datetime | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, modified in urls:
        lastmod = f"<lastmod>{modified.date().isoformat()}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines).encode()


def build_deadlines_ics(competitions: list[Document], base_url: str, now: datetime) -> bytes:
    """One event per deadline: the last hour before the window closes."""
    cal = Calendar()
    cal.add("prodid", "-//nkohub//Проект + grants calendar//RU")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Календарь грантов «Проект +»")
    cal.add("x-wr-timezone", "Europe/Samara")
    for comp in competitions:
        closes: datetime = comp["closes_at"]
        ev = Event()
        ev.add("uid", f"competition-{comp['_id']}@nkohub")
        ev.add("summary", f"Дедлайн: {comp['name']}")
        ev.add("dtstart", closes - timedelta(hours=1))
        ev.add("dtend", closes)
        ev.add("dtstamp", comp.get("updated_at") or now)
        description: list[str] = [f"Оператор: {comp['operator']}"]
        if comp.get("max_amount"):
            description.append(f"Максимальная сумма: {comp['max_amount']:,} ₽".replace(",", " "))
        if comp.get("eligibility"):
            description.append(f"Кто может участвовать: {comp['eligibility']}")
        ev.add("description", "\n".join(description))
        ev.add("url", comp.get("url") or grants_url(base_url))
        cal.add_component(ev)
    return cal.to_ical()


def is_feed_kind(kind: str) -> bool:
    return kind in FEED_KINDS


def feed_title(site: str, scope: str | None) -> str:
    return f"{site} — {scope}" if scope else site


def media_type(kind: str) -> str:
    return "application/atom+xml" if kind == "atom" else "application/rss+xml"
