"""Reading the old blog: the Blogger export, its categories, the view-history CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nkohub_publishing.domain import blogger
from nkohub_publishing.domain.posts import Category
from nkohub_shared.errors import InvalidInput

DATA = Path(__file__).parents[2] / "publishing" / "data"
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_the_export_yields_its_posts_only():
    entries, total, problems = blogger.parse_blogger((DATA / "blogger-export.xml").read_bytes())
    assert total == 6 and len(entries) == 3 and problems == []
    first = entries[0]
    assert first.post_id == f"blogger-{first.blogger_id}" and first.blogger_id.isdigit()
    assert first.legacy_path == "/2019/03/blog-post_28.html"
    assert first.published == datetime.fromisoformat("2019-03-28T18:45:00+04:00")
    assert [e.draft for e in entries].count(True) == 1


def test_an_imported_post_keeps_its_html_date_and_address():
    entries, _, _ = blogger.parse_blogger((DATA / "blogger-export.xml").read_bytes())
    published = next(e for e in entries if not e.draft)
    post = blogger.imported_post(published, slug="pervyi", now=NOW)
    assert post["_id"] == published.post_id and post["status"] == "published"
    assert post["published_at"] == published.published and post["body_format"] == "html"
    assert post["legacy_url"] == published.url and post["slug_explicit"] is True
    assert "<script" not in post["html"] and "onclick" not in post["html"]
    draft = blogger.imported_post(next(e for e in entries if e.draft), slug="d", now=NOW)
    assert draft["status"] == "draft" and draft["published_at"] is None


@pytest.mark.parametrize(
    "content",
    [b"<html>nope", b"<rss version='2.0'></rss>", b'<!DOCTYPE x [<!ENTITY a "b">]>'],
)
def test_not_a_blogger_export_is_refused(content):
    with pytest.raises(InvalidInput) as refused:
        blogger.parse_blogger(content)
    assert refused.value.field == "file"


def test_categories_from_old_labels():
    assert blogger.guess_category(["Митап", "гранты"]) is Category.MEETUP_ANNOUNCEMENTS
    assert blogger.guess_category(["Фонды"]) is Category.FOUNDATIONS
    assert blogger.guess_category(["Законы"]) is Category.OFFICIAL_DOCUMENTS
    assert blogger.guess_category(["Конкурсы"]) is Category.GRANT_COMPETITIONS
    assert blogger.guess_category(["Советы"]) is Category.METHODOLOGY
    assert blogger.guess_category([]) is Category.NGO_NEWS


def test_view_history_rows_and_problems():
    """Uneven rows once made the CSV sniffer fail (an error 500); the delimiter used most
    is taken then."""
    data = (
        "\ufeffpost;date;views\n"
        "https://old.blogspot.com/2019/03/a.html;2019-03-28;5\n"
        "slug-b;2019-03-29;-1\n"
        "only-two;2019-03-29\n"
        "\n"
        "/2019/06/c.html;2019-06-14;7\n"
    ).encode()
    rows, problems = blogger.parse_views_csv(data)
    assert rows == [
        blogger.ViewRow(2, "https://old.blogspot.com/2019/03/a.html", date(2019, 3, 28), 5),
        blogger.ViewRow(6, "/2019/06/c.html", date(2019, 6, 14), 7),
    ]
    assert problems == [
        "line 3: bad date or views ('2019-03-29', '-1')",
        "line 4: expected post, date, views",
    ]
    comma, none = blogger.parse_views_csv(b"a,2019-03-28,1\nb,2019-03-29,2\n")
    assert [r.ref for r in comma] == ["a", "b"] and none == []
    assert blogger.parse_views_csv(b"  \n") == ([], [])
    with pytest.raises(InvalidInput) as latin1:
        blogger.parse_views_csv("пост".encode("cp1251"))
    assert latin1.value.field == "file"


def test_how_a_row_names_its_post():
    assert blogger.ref_path_and_slug("https://x.blogspot.com/2019/03/a.html") == (
        "/2019/03/a.html",
        "a.html",
    )
    assert blogger.ref_path_and_slug("/posts/kak-pisat/") == ("/posts/kak-pisat/", "kak-pisat")
    assert blogger.ref_path_and_slug("kak-pisat") == ("", "kak-pisat")
