"""Every template renders on sample data: a subject, text and HTML, its links, and what
people typed escaped in HTML (kept as typed in the text part)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from nkohub_contracts.vocabulary import meetup_changes_to_tell
from nkohub_notifications.domain.rendering import SPECS, UnknownTemplate
from nkohub_notifications.domain.samples import sample_context
from nkohub_notifications.domain.subscribers import in_their_zone

# The link each template must carry (context key → the URL it is given).
LINKS: dict[str, list[str]] = {
    "registration_confirmed": ["cancel_url"],
    "registration_waitlisted": ["cancel_url"],
    "registration_promoted": ["cancel_url"],
    "registration_cancelled": [],
    "meetup_announcement": ["unsubscribe_url"],
    "meetup_updated": ["cancel_url"],
    "meetup_cancelled": [],
    "reminder": ["cancel_url"],
    "consultation_booked": ["cancel_url"],
    "consultation_cancelled": [],
    "meetup_thanks": ["feedback_url"],
    "grant_deadline": ["unsubscribe_url"],
    "blog_digest": ["unsubscribe_url"],
    "subscription_confirm": ["confirm_url"],
    "mailing": ["unsubscribe_url", "preferences_url"],
    "specialist_reminder": [],
    "speaker_reminder": [],
    "alert_question": [],
    "alert_waitlist": [],
    "alert_message_failed": [],
    "erasure_request": ["erase_url"],
    "alert_new_organization": [],
}


def test_every_template_has_its_links_listed_here():
    assert set(LINKS) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_template_renders_with_its_links(renderer, links, name):
    context = sample_context(name)
    urls = {
        "cancel_url": links.registration_cancel("r-1"),
        "feedback_url": links.feedback("m-1", "r-1"),  # has an & to escape in HTML
        "unsubscribe_url": links.unsubscribe("s-1", "mailings"),
        "preferences_url": links.preferences("s-1"),
        "confirm_url": links.confirm_subscription("s-1", datetime(2026, 4, 16, tzinfo=UTC)),
        "erase_url": "https://registry.example.org/people/p-1/erase?expires=1&token=t",
    }
    context |= {key: urls[key] for key in LINKS[name]}
    rendered = renderer.render(name, context)
    assert rendered.subject.strip() and "\n" not in rendered.subject
    assert "{{" not in rendered.subject + rendered.text + rendered.html
    # Alerts to staff greet nobody by name; the rest greet the sample's person.
    greeting = f"Здравствуйте, {context['name']}!" if context.get("name") else "Здравствуйте!"
    assert rendered.text.startswith(greeting)
    assert rendered.html.startswith("<!DOCTYPE html>") and "</html>" in rendered.html
    for key in LINKS[name]:
        assert urls[key] in rendered.text, key
        assert f'href="{escape(urls[key])}"' in rendered.html, key


@pytest.mark.parametrize("name", sorted(SPECS))
def test_markup_people_typed_is_escaped_in_html(renderer, name):
    context = sample_context(name) | {"name": "<b>x</b>"}
    context["meetup"] = context["meetup"] | {"title": "<i>Встреча</i>"}
    rendered = renderer.render(name, context)
    assert "<b>x</b>" not in rendered.html and "&lt;b&gt;x&lt;/b&gt;" in rendered.html
    assert "<i>Встреча</i>" not in rendered.html
    assert "<b>x</b>" in rendered.text


def test_subjects_read_as_expected(renderer):
    subject = {n: renderer.render(n, sample_context(n)).subject for n in SPECS}
    assert subject["registration_confirmed"] == (
        "Регистрация подтверждена: Открытое общение: гранты и отчётность НКО"
    )
    assert subject["reminder"] == "Напоминание: Открытое общение: гранты и отчётность НКО — завтра"
    assert subject["grant_deadline"] == "Осталось 3 дня: Фонд президентских грантов, 2-й конкурс"
    assert (
        subject["consultation_booked"] == "Запись на консультацию: юрист, 16 апреля 2026 г., 16:00"
    )
    assert subject["blog_digest"] == "«Проект +»: новое за 16 апреля 2026 г."


def test_a_grant_deadline_reads_in_the_recipients_zone(renderer):
    closes = datetime(2026, 4, 20, 21, 0, tzinfo=UTC)
    base = sample_context("grant_deadline")
    base["grant"] = base["grant"] | {"closes_at": closes}
    samara = renderer.render("grant_deadline", in_their_zone(base, {"timezone": None}))
    vladivostok = renderer.render(
        "grant_deadline", in_their_zone(base, {"timezone": "Asia/Vladivostok"})
    )
    assert "закрывается 21 апреля 2026 г., 01:00" in samara.text
    assert "закрывается 21 апреля 2026 г., 07:00" in vladivostok.text
    assert "500 000 ₽" not in samara.text and "3 000 000 ₽" in samara.text


def test_meetup_updates_name_the_changes_told(renderer):
    changes = meetup_changes_to_tell(["description", "starts_at", "venue"])
    assert changes == ["время начала", "место"]
    context = sample_context("meetup_updated") | {"changes": changes}
    rendered = renderer.render("meetup_updated", context)
    assert "есть изменения (время начала, место)" in rendered.text
    assert meetup_changes_to_tell(["description", "program"]) == []


def test_an_unknown_template_is_refused(renderer):
    with pytest.raises(UnknownTemplate):
        renderer.render("nope", {})
