"""Feeds (parsed with feedparser), the sitemap and the .ics of deadlines."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
from icalendar import Calendar

from nkohub_publishing.domain import feeds
from tests.unit.publishing.markup import executable_parts

BASE = "https://proekt-plus.example"
NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def post(n: int, **extra) -> dict:
    return {
        "_id": f"p{n}",
        "slug": f"zapis-{n}",
        "title": f"Запись {n}",
        "excerpt": f"Кратко {n}",
        "html": f"<p>Текст {n}</p>",
        "tags": ["город"],
        "published_at": NOW - timedelta(days=n),
        **extra,
    }


def feed(kind: str, posts: list[dict]):
    body = feeds.build_feed(
        kind=kind,
        title=feeds.feed_title("Проект +", "метка «город»"),
        base_url=BASE,
        self_url=f"{BASE}/tag/город/feed.{kind}",
        page_url=f"{BASE}/tag/город",
        posts=posts,
        now=NOW,
    )
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_feed_entries_keep_the_given_order_newest_first():
    for kind, version in (("atom", "atom10"), ("rss", "rss20")):
        parsed = feed(kind, [post(1), post(2, author="Анна")])
        assert parsed.version == version
        assert parsed.feed.title == "Проект + — метка «город»"
        assert [e.title for e in parsed.entries] == ["Запись 1", "Запись 2"]
        first = parsed.entries[0]
        assert first.link == f"{BASE}/posts/zapis-1"
        assert first.summary == "Кратко 1" and first.content[0].value == "<p>Текст 1</p>"
        assert [t.term for t in first.tags] == ["город"]
    atom = feed("atom", [post(1), post(2, author="Анна")])
    assert atom.entries[1].author == "Анна" and atom.entries[0].author == "Проект +"


def test_an_empty_feed_is_dated_now():
    parsed = feed("atom", [])
    assert parsed.entries == []
    assert parsed.feed.updated_parsed[:5] == (2026, 5, 1, 10, 0)


def test_feed_kinds():
    assert feeds.is_feed_kind("atom") and feeds.is_feed_kind("rss")
    assert not feeds.is_feed_kind("json")
    assert feeds.media_type("rss") == "application/rss+xml"
    assert feeds.feed_title("Проект +", None) == "Проект +"


def test_sitemap_lists_pages_categories_and_posts():
    urls = feeds.sitemap_urls(BASE, [{"slug": "a", "published_at": NOW}, {"slug": "b&c"}])
    assert urls[0] == (f"{BASE}/", None)
    assert (f"{BASE}/category/meetup-reports", None) in urls
    assert urls[-2:] == [(f"{BASE}/posts/a", NOW), (f"{BASE}/posts/b&c", None)]
    root = ET.fromstring(feeds.build_sitemap(urls))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert f"{BASE}/posts/b&c" in locs, "escaped in the XML, whole when parsed"
    assert root.findall("s:url/s:lastmod", ns)[0].text == "2026-05-01"


def test_deadlines_calendar():
    closes = datetime(2026, 6, 30, 19, 59, tzinfo=UTC)
    ics = feeds.build_deadlines_ics(
        [
            {
                "_id": "c1",
                "name": "Конкурс ФПГ",
                "operator": "Фонд президентских грантов",
                "closes_at": closes,
                "max_amount": 3_000_000,
            }
        ],
        BASE,
        NOW,
    )
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["summary"]) == "Дедлайн: Конкурс ФПГ"
    assert str(event["uid"]) == "competition-c1@nkohub"
    assert event["dtend"].dt == closes and event["dtstart"].dt == closes - timedelta(hours=1)
    assert event["dtstamp"].dt == NOW, "no change yet: dated now"
    assert str(event["url"]) == f"{BASE}/grants"
    assert "Максимальная сумма: 3 000 000 ₽" in str(event["description"])


# ---------------------------------------------------------------- nothing live in a feed

TYPED = "<script>alert(1)</script> и <img src=x onerror=alert(1)>"  # text, as typed


def test_the_markup_finder_finds_what_runs():
    assert executable_parts('<p>a<script>x</script><img src=x onerror="y">') == [
        "<script>",
        "<img onerror=…>",
    ]
    assert executable_parts('<a href=" JavaScript:alert(1)">') == [
        "<a href=' JavaScript:alert(1)'>"
    ]
    assert executable_parts("&lt;script&gt;alert(1)&lt;/script&gt;") == []


def test_rss_fields_read_as_html_are_escaped_text():
    hostile = post(1, title=f"Заголовок {TYPED}", excerpt=f"Кратко: {TYPED}", tags=[TYPED])
    body = feeds.build_feed(
        kind="rss",
        title=feeds.feed_title("Проект +", f"метка «{TYPED}»"),
        base_url=BASE,
        self_url=f"{BASE}/feed.rss",
        page_url=BASE,
        posts=[hostile],
        now=NOW,
    )
    channel = ET.fromstring(body).find("channel")  # a strict XML parser takes it
    item = channel.find("item")
    for rendered_as_html in (
        channel.findtext("title"),
        item.findtext("title"),
        item.findtext("description"),
    ):
        assert executable_parts(rendered_as_html) == [], rendered_as_html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered_as_html, "shown as typed"
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert html.unescape(entry.summary) == f"Кратко: {TYPED}"
    assert html.unescape(entry.title) == f"Заголовок {TYPED}"
    assert executable_parts(entry.summary) == [] and executable_parts(entry.title) == []


def test_atom_title_and_summary_are_plain_text():
    hostile = post(1, title=f"Заголовок {TYPED}", excerpt=f"Кратко: {TYPED}")
    body = feeds.build_feed(
        kind="atom",
        title="Проект +",
        base_url=BASE,
        self_url=f"{BASE}/feed.atom",
        page_url=BASE,
        posts=[hostile],
        now=NOW,
    )
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = ET.fromstring(body).find("a:entry", ns)
    summary = entry.find("a:summary", ns)
    assert summary.get("type") == "text" and summary.text == f"Кратко: {TYPED}"
    assert entry.find("a:title", ns).get("type") in (None, "text")
    assert entry.find("a:content", ns).get("type") == "html"
    parsed = feedparser.parse(body).entries[0]
    assert parsed.summary_detail.type == "text/plain" and parsed.summary == f"Кратко: {TYPED}"
    assert parsed.title_detail.type == "text/plain"


def test_characters_xml_cannot_carry_do_not_break_a_feed():
    odd = post(1, title="Вертикальная\x0bтабуляция\x00", html="<p>a\x0cb\ud800</p>", tags=["\x01т"])
    for kind in ("atom", "rss"):
        parsed = feed(kind, [odd])
        assert parsed.entries[0].title == "Вертикальнаятабуляция"
        ET.fromstring(
            feeds.build_feed(
                kind=kind,
                title="t",
                base_url=BASE,
                self_url=BASE,
                page_url=BASE,
                posts=[odd],
                now=NOW,
            )
        )
