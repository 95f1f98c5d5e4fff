"""Reading the old blog: the Blogger export, its categories, the view-history CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nkohub_publishing.domain import blogger
from nkohub_publishing.domain.limits import TooLarge
from nkohub_publishing.domain.posts import Category
from nkohub_shared.errors import InvalidInput
from tests.unit.publishing import exports

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


# ---------------------------------------------------------------- hostile and huge files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_before_any_expansion(encoding):
    with pytest.raises(InvalidInput) as refused:
        blogger.parse_blogger(exports.billion_laughs(encoding))
    assert refused.value.field == "file" and "DOCTYPE" in refused.value.message


@pytest.mark.parametrize(("encoding", "comment"), [("utf-16", 0), ("utf-8", 5000)])
def test_a_doctype_is_refused_in_any_encoding_and_at_any_place(encoding, comment):
    """The old check looked for ``<!DOCTYPE`` in the first 4 KB of bytes: a UTF-16 file,
    or one with a long comment first, slipped past it."""
    with pytest.raises(InvalidInput) as refused:
        blogger.parse_blogger(exports.declared_entity(encoding, comment=comment))
    assert refused.value.field == "file" and "DOCTYPE" in refused.value.message


def test_too_many_entries_stop_the_reading(monkeypatch):
    monkeypatch.setattr(blogger, "IMPORT_ENTRIES_MAX", 3)
    entries, total, _ = blogger.parse_blogger(exports.export(*(exports.entry(n) for n in range(3))))
    assert total == 3 and len(entries) == 3
    with pytest.raises(TooLarge) as refused:
        blogger.parse_blogger(exports.export(*(exports.entry(n) for n in range(4))))
    assert refused.value.status_code == 413 and refused.value.field == "file"


def test_an_oversize_file_is_refused(monkeypatch):
    monkeypatch.setattr(blogger, "UPLOAD_MAX_BYTES", 1000)
    for parse in (blogger.parse_blogger, blogger.parse_views_csv):
        with pytest.raises(TooLarge):
            parse(b"x" * 1001)


def test_entries_past_the_text_limits_are_skipped_and_reported():
    data = exports.export(
        exports.entry(1, title="я" * 301),
        exports.entry(2, html="я" * 200_001),
        exports.entry(3, labels=(*(f"метка {n}" for n in range(35)), "я" * 61)),
        exports.entry(4, title="Табуляция\x09и\x0aперевод"),
    )
    entries, total, problems = blogger.parse_blogger(data)
    assert total == 4 and [e.blogger_id for e in entries] == ["9003", "9004"]
    assert len(problems) == 3 and all("900" in p for p in problems)
    assert len(entries[0].labels) == 30 and entries[1].title == "Табуляция и перевод"


def test_view_rows_are_capped_and_odd_values_reported(monkeypatch):
    monkeypatch.setattr(blogger, "VIEW_ROWS_MAX", 3)
    rows, _ = blogger.parse_views_csv(b"a,2019-03-28,1\nb,2019-03-29,2\nc,2019-03-30,3\n")
    assert len(rows) == 3
    with pytest.raises(TooLarge):
        blogger.parse_views_csv(b"a,2019-03-28,1\n" * 4)
    monkeypatch.undo()
    data = (
        b"post,date,views\n"
        b"a,2019-03-28,99999999999999999999999\n"  # more than a 64-bit counter holds
        b"b,0001-01-01,1\n"  # a day whose bounds overflow
        b"c,2019-03-28,1000001\n"
        b"d,2019-03-28,1\n"
    )
    rows, problems = blogger.parse_views_csv(data)
    assert [r.ref for r in rows] == ["d"] and len(problems) == 3


def test_a_huge_csv_field_is_refused_not_crashed_on():
    """The csv module refuses fields over 128 KB with ``csv.Error`` (an error 500 before)."""
    data = b"a,2019-03-28,1\n" + b'"' + b"x" * 200_000 + b'",2019-03-28,1\n'
    with pytest.raises(InvalidInput) as refused:
        blogger.parse_views_csv(data)
    assert refused.value.field == "file"
