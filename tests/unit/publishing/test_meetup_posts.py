"""The texts of meetup posts: announcement, cancellation, report, and how they change."""

from __future__ import annotations

from datetime import UTC, datetime

from nkohub_contracts.common import Venue
from nkohub_contracts.events import MeetupFigures
from nkohub_publishing.domain import meetup_posts
from nkohub_publishing.domain.text import post_slug
from tests.unit.publishing.conftest import meetup

LINK = "http://localhost:8002/meetups/m-28"
NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
FIGURES = MeetupFigures(
    participants=41,
    attendances=43,
    organizations=12,
    consultations=4,
    registrations_confirmed=50,
    no_shows=9,
)


def test_ids_and_the_registration_link():
    assert meetup_posts.announcement_id("m-28") == "meetup-m-28-announcement"
    assert meetup_posts.report_id("m-28") == "meetup-m-28-report"
    assert meetup_posts.registration_url("http://localhost:8002/", "m-28") == LINK


def test_announcement_text():
    title, body = meetup_posts.announcement(meetup(), LINK)
    assert title == "Анонс: Открытое общение: учредительные документы НКО"
    assert body == (
        "**Когда:** 28 марта 2030, 18:00 (время местное, Ижевск/Глазов)\n"
        "\n"
        "**Где:** ПНБ им. В.Г. Короленко, ул. Ленина, 1\n"
        "\n"
        "Консультация юриста и вопросы главе города.\n"
        "\n"
        "## Программа\n"
        "\n"
        "1. 18:10 — Изменения в уставе (Юрист)\n"
        "2. Вопросы главе города\n"
        "\n"
        f"[Зарегистрироваться на встречу]({LINK})\n"
    )


def test_text_from_elsewhere_cannot_inject_markdown():
    tricky = meetup(
        description="[жми](javascript:alert(1)) <b>x</b> *важно*",
        venue=Venue(name="Зал #1 | _главный_"),
        program=[],
    )
    _, body = meetup_posts.announcement(tricky, LINK)
    assert "\\[жми\\](javascript:alert(1)) \\<b\\>x\\</b\\> \\*важно\\*" in body
    assert "**Где:** Зал \\#1 \\| \\_главный\\_\n" in body
    assert "## Программа" not in body


def test_cancellation_text():
    title, body = meetup_posts.cancellation(meetup(), "болезнь спикера")
    assert title == "Отменено: Открытое общение: учредительные документы НКО"
    assert body.startswith(
        "**Встреча «Открытое общение: учредительные документы НКО», назначенная на "
        "28 марта 2030, 18:00, отменена.**\n"
    )
    assert "Причина: болезнь спикера" in body
    assert "Причина" not in meetup_posts.cancellation(meetup(), None)[1]


def test_report_text_has_the_figures():
    title, body = meetup_posts.report(meetup(), FIGURES)
    assert title == "Итоги встречи: Открытое общение: учредительные документы НКО"
    assert body.startswith(
        "28 марта 2030, 18:00 в ПНБ им. В.Г. Короленко прошла встреча "
        "«Открытое общение: учредительные документы НКО»."
    )
    for line in ("- участников: 41", "- НКО: 12", "- консультаций: 4"):
        assert line in body.splitlines()


def test_an_announcement_is_drafted_or_published_at_once():
    slug = post_slug(meetup_posts.announcement_title(meetup()))
    assert slug == "anons-otkrytoe-obshchenie-uchreditelnye-dokumenty-nko"
    drafted = meetup_posts.announcement_post(meetup(), LINK, slug=slug, publish=False, now=NOW)
    assert drafted["status"] == "draft" and drafted["published_at"] is None
    assert drafted["category"] == "meetup-announcements" and drafted["tags"] == ["митап"]
    assert drafted["meetup_id"] == "m-28" and drafted["meetup_sequence"] == 0
    assert drafted["generated"] == "announcement" and drafted["slug_explicit"] is True
    assert f'href="{LINK}"' in drafted["html"]
    published = meetup_posts.announcement_post(meetup(), LINK, slug=slug, publish=True, now=NOW)
    assert published["status"] == "published" and published["published_at"] == NOW


def test_an_update_rewrites_the_text_and_remembers_the_sequence():
    changes = meetup_posts.announcement_update(meetup(sequence=3, title="Новое имя"), LINK, NOW)
    assert changes["title"] == "Анонс: Новое имя" and changes["meetup_sequence"] == 3
    assert changes["updated_at"] == NOW and "новое" in changes["words"]
    assert "slug" not in changes, "the address of an announcement stays"


def test_a_cancelled_announcement_nobody_saw_is_archived():
    for status in ("draft", "scheduled"):
        changes = meetup_posts.cancellation_update(meetup(), None, status, NOW)
        assert changes["status"] == "archived" and changes["publish_at"] is None
        assert changes["cancelled"] is True
    told = meetup_posts.cancellation_update(meetup(), "болезнь", "published", NOW)
    assert "status" not in told, "readers of a published announcement are told"
    assert told["title"].startswith("Отменено:") and "болезнь" in told["html"]


def test_a_report_is_a_draft_with_its_figures():
    post = meetup_posts.report_post(meetup(), FIGURES, slug="itogi", now=NOW)
    assert post["status"] == "draft" and post["category"] == "meetup-reports"
    assert post["tags"] == ["митап", "итоги"] and post["generated"] == "report"
    assert post["figures"]["participants"] == 41 and post["slug_explicit"] is False
