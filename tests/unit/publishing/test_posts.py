"""Post rules: what staff may send, edits and slugs, status transitions, scheduling, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from nkohub_publishing.domain import posts
from nkohub_publishing.domain.posts import (
    Category,
    PostCreate,
    PostFields,
    PostStatus,
    Schedule,
    Unpublish,
)
from nkohub_shared.errors import Conflict, InvalidInput

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
BASE = "https://proekt-plus.example"


def draft(**changes) -> dict:
    fields = PostCreate(title="Черновик", body="Первый текст.", category=Category.NGO_NEWS)
    post = posts.staff_post(fields, slug="chernovik", author="librarian", now=NOW)
    return {"_id": "p1", **post, **changes}


def test_a_new_post_is_a_draft_with_its_text_rendered():
    post = draft()
    assert post["status"] == "draft" and post["published_at"] is None
    assert post["publish_at"] is None and post["views"] == 0
    assert post["html"] == "<p>Первый текст.</p>\n" and post["excerpt"] == "Первый текст."
    assert post["author"] == "librarian" and post["slug_explicit"] is False
    assert post["created_at"] == post["updated_at"] == NOW


def test_tags_are_normalised_and_deduplicated():
    fields = PostFields(tags=["ФПГ", " фпг ", "Конкурс  грантов", "   "])
    assert fields.tags == ["фпг", "конкурс грантов"]


def test_bad_input_names_the_field():
    with pytest.raises(ValidationError) as bad_slug:
        PostFields(slug="Не латиница")
    assert bad_slug.value.errors()[0]["loc"] == ("slug",)
    with pytest.raises(ValidationError) as extra:
        PostFields.model_validate({"views": 100})
    assert extra.value.errors()[0]["loc"] == ("views",)


def test_a_draft_slug_follows_its_title():
    edit = posts.edit(draft(), PostFields(title="Итоговое имя"), NOW)
    assert edit.slug_from_title == "itogovoe-imia" and edit.slug is None
    assert edit.changes["title"] == "Итоговое имя"
    assert edit.changes["updated_at"] == NOW


def test_a_published_post_keeps_its_url_unless_staff_set_a_slug():
    published = draft(status="published", published_at=NOW)
    kept = posts.edit(published, PostFields(title="Совсем другой заголовок"), NOW)
    assert kept.slug is None and kept.slug_from_title is None
    chosen = posts.edit(published, PostFields(slug="kak-pisat-zaiavku"), NOW)
    assert chosen.slug == "kak-pisat-zaiavku"
    same = posts.edit(published, PostFields(slug="chernovik"), NOW)
    assert same.slug is None, "the slug it has is no change"


def test_an_explicit_slug_stops_following_the_title():
    edit = posts.edit(draft(slug_explicit=True), PostFields(title="Новое"), NOW)
    assert edit.slug_from_title is None


def test_an_explicit_excerpt_survives_a_new_body():
    post = draft(excerpt="Коротко о главном", excerpt_explicit=True)
    edit = posts.edit(post, PostFields(body="Новое"), NOW)
    assert edit.changes["excerpt"] == "Коротко о главном"
    assert edit.changes["html"] == "<p>Новое</p>\n"
    derived = posts.edit(post, PostFields(excerpt=None), NOW)
    assert derived.changes["excerpt"] == "Первый текст." and not derived.changes["excerpt_explicit"]


def test_a_cover_is_removed_with_null_other_fields_are_not():
    edit = posts.edit(draft(), PostFields(cover_image_url=None, title=None), NOW)
    assert edit.changes == {"cover_image_url": None, "updated_at": NOW}


def test_publication_keeps_the_first_date():
    assert posts.publication(draft(), NOW) == {
        "status": "published",
        "published_at": NOW,
        "publish_at": None,
        "updated_at": NOW,
    }
    earlier = NOW - timedelta(days=30)
    again = posts.publication(draft(status="archived", published_at=earlier), NOW)
    assert again["published_at"] == earlier


def test_a_scheduled_post_is_published_at_its_time():
    at = NOW - timedelta(seconds=3)
    fields = posts.due_publication(draft(status="scheduled", publish_at=at), NOW)
    assert fields == {
        "status": "published",
        "published_at": at,
        "publish_at": None,
        "updated_at": NOW,
    }


def test_scheduling_rules():
    with pytest.raises(InvalidInput) as past:
        posts.check_publish_at(NOW, NOW)
    assert past.value.field == "publish_at"
    posts.check_publish_at(NOW + timedelta(seconds=1), NOW)
    for status in ("draft", "scheduled"):
        posts.check_schedulable(status)
    for status in ("published", "archived"):
        with pytest.raises(Conflict) as refused:
            posts.check_schedulable(status)
        assert refused.value.field == "status"
    assert posts.scheduling(NOW + timedelta(days=1), NOW) == {
        "status": "scheduled",
        "publish_at": NOW + timedelta(days=1),
        "updated_at": NOW,
    }


def test_a_schedule_needs_a_time_zone_and_is_kept_in_utc():
    at = Schedule(publish_at="2030-01-01T10:00:00+04:00").publish_at
    assert at == datetime(2030, 1, 1, 6, 0, tzinfo=UTC) and at.tzinfo == UTC
    with pytest.raises(ValidationError) as naive:
        Schedule(publish_at="2030-01-01T10:00:00")
    assert naive.value.errors()[0]["loc"] == ("publish_at",)


def test_unpublishing_goes_to_draft_or_archived_only():
    assert Unpublish().to is PostStatus.DRAFT
    assert Unpublish(to="archived").to is PostStatus.ARCHIVED
    with pytest.raises(ValidationError):
        Unpublish(to="published")
    assert posts.unpublication(PostStatus.ARCHIVED, NOW) == {
        "status": "archived",
        "publish_at": None,
        "updated_at": NOW,
    }


def test_only_drafts_are_deletable_and_unseen():
    assert posts.DELETABLE == (PostStatus.DRAFT,)
    assert set(posts.UNSEEN) == {PostStatus.DRAFT, PostStatus.SCHEDULED}


def test_events_of_a_post():
    post = draft(status="published", published_at=NOW, tags=["фпг"])
    published = posts.published_event(post, BASE)
    assert published.type == "publishing.post.published" and published.subject == "p1"
    assert published.data["url"] == f"{BASE}/posts/chernovik"
    assert published.data["tags"] == ["фпг"] and published.data["excerpt"] == "Первый текст."
    assert datetime.fromisoformat(published.data["published_at"]) == NOW
    unpublished = posts.unpublished_event(post)
    assert unpublished.type == "publishing.post.unpublished"
    assert unpublished.data["slug"] == "chernovik" and unpublished.data["post_id"] == "p1"


def test_category_labels_are_russian():
    assert Category.MEETUP_REPORTS.label == "Отчёты о митапах"
    assert {c.value for c in Category} == set(map(str, posts.CATEGORY_LABELS))
