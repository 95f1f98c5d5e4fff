"""Sample data of every template, for staff previews and tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nkohub_contracts.common import MeetupSnapshot, ProgramItem, Specialist, Venue

SAMPLE_MEETUP = MeetupSnapshot(
    meetup_id="sample-meetup",
    slug="otkrytoe-obshchenie-aprel",
    title="Открытое общение: гранты и отчётность НКО",
    kind="meetup",
    description="Консультации специалистов и вопросы к главе города.",
    starts_at=datetime(2026, 4, 16, 14, 0, tzinfo=UTC),
    ends_at=datetime(2026, 4, 16, 16, 0, tzinfo=UTC),
    venue=Venue(name="ПНБ им. В.Г. Короленко", address="г. Глазов, ул. Ленина, 1"),
    capacity=65,
    program=[
        ProgramItem(position=1, kind="talk", title="Итоги грантовых конкурсов"),
        ProgramItem(position=2, kind="qa_session", title="Вопросы главе города"),
    ],
    public_url="http://localhost:8002/meetups/otkrytoe-obshchenie-aprel",
    sequence=1,
)
SAMPLE_CONSULTATION = {
    "consultation_id": "sample-consultation",
    "specialist": Specialist(
        specialist_id="s1", name="Иванова Анна", specialty="юрист", body="Минюст"
    ).model_dump(),
    "starts_at": datetime(2026, 4, 16, 12, 0, tzinfo=UTC),
    "duration_minutes": 30,
    "organization_name": "АНО «Добрые дела»",
    "question": "Как внести изменения в устав?",
    "contact": {"name": "Петров Пётр", "email": "petrov@example.org"},
}


def sample_context(name: str) -> dict[str, Any]:
    meetup = SAMPLE_MEETUP.model_dump()
    link = "http://localhost:8002/registrations/sample/cancel?token=sample"
    unsubscribe = "http://localhost:8003/unsubscribe/sample?token=sample"
    base = {"name": "Мария Петрова", "meetup": meetup, "cancel_url": link}
    extra: dict[str, dict[str, Any]] = {
        "registration_confirmed": {"short_code": "K7M2QX"},
        "registration_promoted": {"short_code": "K7M2QX"},
        "registration_waitlisted": {"position": 3},
        "registration_cancelled": {"cancelled_by": "participant"},
        "meetup_announcement": {"unsubscribe_url": unsubscribe},
        "meetup_updated": {"changes": ["время начала"], "with_invitation": True},
        "meetup_cancelled": {"reason": "болезнь докладчика"},
        "reminder": {"before": "завтра"},
        "consultation_booked": {"consultation": SAMPLE_CONSULTATION, "for_specialist": False},
        "consultation_cancelled": {"consultation": SAMPLE_CONSULTATION, "for_specialist": True},
        "meetup_thanks": {"feedback_url": "http://localhost:8002/meetups/sample/feedback"},
        "grant_deadline": {
            "unsubscribe_url": unsubscribe,
            "grant": {
                "name": "Фонд президентских грантов, 2-й конкурс",
                "operator": "ФПГ",
                "closes_at": datetime(2026, 4, 20, 21, 0, tzinfo=UTC),
                "days_left": 3,
                "url": "https://example.org/grant",
                "max_amount": 3000000,
            },
        },
        "blog_digest": {
            "unsubscribe_url": unsubscribe,
            "day": "16 апреля 2026 г.",
            "posts": [
                {
                    "title": "Как написать проект: 5 ошибок",
                    "category": "методические рекомендации",
                    "url": "http://localhost:8004/posts/5-oshibok",
                    "excerpt": "Разбираем типичные ошибки заявок.",
                }
            ],
        },
        "mailing": {
            "unsubscribe_url": unsubscribe,
            "preferences_url": "http://localhost:8003/preferences/sample?token=sample",
            "topic_label": "Рассылки библиотеки",
            "mailing_subject": "Приглашаем НКО на консультацию по отчётности",
            "body_html": (
                "<p>Уважаемые коллеги!</p><p>Приглашаем на <strong>консультацию</strong>.</p>"
            ),
            "body_text": "Уважаемые коллеги!\n\nПриглашаем на **консультацию**.\n",
        },
        "subscription_confirm": {
            "confirm_url": "http://localhost:8003/subscriptions/x/confirm",
            "link_days": 7,
        },
        "erasure_request": {
            "erase_url": "http://localhost:8001/people/sample/erase?expires=1&token=sample",
            "expires_at": datetime(2026, 4, 23, 9, 0, tzinfo=UTC),
        },
    }
    if name.startswith("alert_") or name in ("specialist_reminder", "speaker_reminder"):
        return {"meetup": meetup, **staff_samples(name)}
    return {**base, **extra.get(name, {})}


def staff_samples(name: str) -> dict[str, Any]:
    """Alerts to staff and reminders to specialists: no greeting by name."""
    samples: dict[str, dict[str, Any]] = {
        "alert_question": {
            "question": {"text": "Когда откроется приём заявок?", "addressed_to": "глава города"}
        },
        "alert_waitlist": {"waitlist": {"length": 11, "threshold": 10}},
        "alert_message_failed": {
            "failure": {
                "message_id": "sample-message",
                "template": "registration_confirmed",
                "template_title": "Место подтверждено",
                "channel": "email",
                "reason": "550 5.1.1 <адрес>: no such user",
            }
        },
        "alert_new_organization": {
            "proposal": {
                "name": "АНО «Серебряный возраст»",
                "full_name": "Автономная некоммерческая организация «Серебряный возраст»",
                "city": "Глазов",
                "activity_areas": ["социальная поддержка", "ветераны"],
                "submitted_at": datetime(2026, 4, 2, 15, 12, tzinfo=UTC),
                "url": "http://localhost:8000/console/proposals/sample-proposal",
            }
        },
        "speaker_reminder": {
            "name": "Смирнова Ольга",
            "day_label": "16 апреля 2026 г.",
            "items": [
                {
                    "position": 1,
                    "title": "Итоги грантовых конкурсов",
                    "starts_at": datetime(2026, 4, 16, 14, 5, tzinfo=UTC),
                }
            ],
        },
        "specialist_reminder": {
            "name": "Иванова Анна",
            "day_label": "16 апреля 2026 г.",
            "specialist": {"name": "Иванова Анна", "specialty": "юрист", "body": "Минюст"},
            "slots": [
                {
                    "starts_at": datetime(2026, 4, 16, 12, 0, tzinfo=UTC),
                    "duration_minutes": 30,
                    "organization_name": "АНО «Добрые дела»",
                    "contact_name": "Петров Пётр",
                }
            ],
        },
    }
    return samples[name]
