"""View counting rules: visitor pseudonyms, counting periods, local days, reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nkohub_publishing.domain import views
from nkohub_publishing.domain.clock import SAMARA, day_bounds, local_day
from nkohub_shared.errors import InvalidInput

DAY = date(2026, 5, 1)


def test_a_visitor_key_is_a_keyed_one_day_hash():
    key = views.visitor_key("secret", "10.0.0.1", "Firefox", DAY, "p1")
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == views.visitor_key("secret", "10.0.0.1", "Firefox", DAY, "p1")
    others = {
        views.visitor_key("other", "10.0.0.1", "Firefox", DAY, "p1"),
        views.visitor_key("secret", "10.0.0.2", "Firefox", DAY, "p1"),
        views.visitor_key("secret", "10.0.0.1", "Chrome", DAY, "p1"),
        views.visitor_key("secret", "10.0.0.1", "Firefox", DAY + timedelta(days=1), "p1"),
        views.visitor_key("secret", "10.0.0.1", "Firefox", DAY, "p2"),
    }
    assert key not in others and len(others) == 5
    assert "10.0.0.1" not in key and "Firefox" not in key


def test_robots_are_not_counted():
    robots = ("Googlebot/2.1", "YandexBot", "curl/8.0", "Wget/1.21", "link preview")
    for agent in robots:
        assert views.is_bot(agent), agent
    assert not views.is_bot("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")


def test_counting_periods():
    moment = datetime(2026, 5, 1, 10, 42, 17, tzinfo=UTC)
    assert views.bucket_start(moment, 3600) == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert views.bucket_start(moment, 2) == datetime(2026, 5, 1, 10, 42, 16, tzinfo=UTC)
    assert views.bucket_start(moment, 86400) == datetime(2026, 5, 1, tzinfo=UTC)


def test_days_are_local_to_glazov():
    assert local_day(datetime(2026, 4, 30, 20, 30, tzinfo=UTC)) == DAY, "00:30 local"
    assert local_day(datetime(2026, 4, 30, 19, 59, tzinfo=UTC)) == DAY - timedelta(days=1)
    start, end = day_bounds(DAY)
    assert start == datetime(2026, 5, 1, tzinfo=SAMARA) == datetime(2026, 4, 30, 20, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_a_period_report():
    start = datetime(2026, 5, 1, 10, tzinfo=UTC)
    event = views.views_counted(start, start + timedelta(hours=1), {"p2": 1, "p1": 2})
    assert event.type == "publishing.views.counted"
    assert event.data["views"] == 3
    assert event.data["posts"] == [{"post_id": "p1", "views": 2}, {"post_id": "p2", "views": 1}]


def test_statistics_periods_and_top_posts():
    views.check_period(DAY, DAY)
    with pytest.raises(InvalidInput) as backwards:
        views.check_period(DAY, DAY - timedelta(days=1))
    assert backwards.value.field == "to"
    with pytest.raises(InvalidInput) as too_long:
        views.check_period(DAY, DAY + timedelta(days=3701), max_days=views.STATS_MAX_DAYS)
    assert too_long.value.field == "to"
    per_post = {f"p{n}": n for n in range(30)}
    top = views.top_posts(per_post)
    assert len(top) == 20 and top[0] == {"post_id": "p29", "views": 29}
    assert top[-1] == {"post_id": "p10", "views": 10}
