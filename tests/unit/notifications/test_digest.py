"""The daily digest's cutoff, window and each follower's posts."""

from __future__ import annotations

from datetime import UTC, datetime, time

from nkohub_notifications.domain.digest import (
    day_label,
    digest_id,
    latest_cutoff,
    posts_for,
    window,
)

SAMARA = "Europe/Samara"  # UTC+4


def test_latest_cutoff_is_todays_digest_time_once_passed():
    at = datetime(2026, 4, 16, 6, 0, tzinfo=UTC)  # 10:00 in Samara
    assert latest_cutoff(at, time(9, 0), SAMARA) == datetime(2026, 4, 16, 5, 0, tzinfo=UTC)


def test_latest_cutoff_is_yesterdays_before_the_digest_time():
    at = datetime(2026, 4, 16, 4, 0, tzinfo=UTC)  # 08:00 in Samara
    assert latest_cutoff(at, time(9, 0), SAMARA) == datetime(2026, 4, 15, 5, 0, tzinfo=UTC)


def test_window_id_and_day():
    cutoff = datetime(2026, 4, 16, 5, 0, tzinfo=UTC)
    assert window(cutoff) == (datetime(2026, 4, 15, 5, 0, tzinfo=UTC), cutoff)
    assert digest_id(cutoff) == "2026-04-16T05:00:00+00:00"
    assert day_label(cutoff, SAMARA) == "15 апреля 2026 г."


def test_followers_get_the_posts_of_their_categories():
    posts = [{"category": "гранты", "title": "a"}, {"category": "новости", "title": "b"}]
    assert posts_for({"blog_categories": []}, posts) == posts
    assert posts_for({}, posts) == posts
    assert posts_for({"blog_categories": ["гранты"]}, posts) == posts[:1]
    assert posts_for({"blog_categories": ["отчёты"]}, posts) == []
