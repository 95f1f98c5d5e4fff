"""Message templates (Jinja2, Russian): a subject, a plain-text and an HTML part each.

HTML is rendered with autoescape on, text with it off. Every template has sample data
so staff can preview it (``GET /api/v1/staff/templates/{name}/preview``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from nkohub_shared.contracts.common import MeetupSnapshot, ProgramItem, Specialist, Venue
from nkohub_shared.russian import MONTHS_GENITIVE, date_ru

CHANGED_LABELS = {
    "starts_at": "время начала",
    "ends_at": "время окончания",
    "venue": "место",
    "title": "название",
    "description": "описание",
    "program": "программа",
    "capacity": "число мест",
}


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    subject: str  # a Jinja2 expression source, rendered without escaping
    transactional: bool  # False: marketing-like, needs consent and List-Unsubscribe
    description: str


SPECS: dict[str, TemplateSpec] = {
    s.name: s
    for s in (
        TemplateSpec(
            "registration_confirmed",
            "Регистрация подтверждена: {{ meetup.title }}",
            True,
            "Место подтверждено; приглашение .ics (METHOD:REQUEST) и ссылка отмены",
        ),
        TemplateSpec(
            "registration_waitlisted",
            "Лист ожидания: {{ meetup.title }}",
            True,
            "Мест нет, участник в листе ожидания (с номером)",
        ),
        TemplateSpec(
            "registration_promoted",
            "Освободилось место: {{ meetup.title }}",
            True,
            "Из листа ожидания в участники; приглашение .ics",
        ),
        TemplateSpec(
            "registration_cancelled",
            "Регистрация отменена: {{ meetup.title }}",
            True,
            "Регистрация отменена участником или организаторами",
        ),
        TemplateSpec(
            "meetup_announcement",
            "Новая встреча: {{ meetup.title }}",
            False,
            "Анонс встречи подписчикам темы «встречи»",
        ),
        TemplateSpec(
            "meetup_updated",
            "Изменения во встрече: {{ meetup.title }}",
            True,
            "Новое время или место; обновлённое .ics с большим SEQUENCE",
        ),
        TemplateSpec(
            "meetup_cancelled",
            "Встреча отменена: {{ meetup.title }}",
            True,
            "Отмена встречи; .ics с METHOD:CANCEL",
        ),
        TemplateSpec(
            "reminder",
            "Напоминание: {{ meetup.title }} — {{ before }}",
            True,
            "Напоминание подтверждённым участникам (по умолчанию за сутки и за 2 часа)",
        ),
        TemplateSpec(
            "consultation_booked",
            "Запись на консультацию: {{ consultation.specialist.specialty }}, "
            "{{ consultation.starts_at | when(timezone) }}",
            True,
            "Запись на консультацию — НКО и специалисту",
        ),
        TemplateSpec(
            "consultation_cancelled",
            "Консультация отменена: {{ consultation.specialist.specialty }}, "
            "{{ consultation.starts_at | when(timezone) }}",
            True,
            "Отмена консультации — НКО и специалисту",
        ),
        TemplateSpec(
            "meetup_thanks",
            "Спасибо за участие: {{ meetup.title }}",
            True,
            "Благодарность пришедшим, со ссылкой на отзыв",
        ),
        TemplateSpec(
            "grant_deadline",
            "Осталось {{ grant.days_left }} {{ grant.days_left | days_word }}: {{ grant.name }}",
            False,
            "Скоро закрывается приём заявок на грантовый конкурс",
        ),
        TemplateSpec(
            "blog_digest",
            "«Проект +»: новое за {{ day }}",
            False,
            "Ежедневная подборка новых записей блога",
        ),
        TemplateSpec(
            "subscription_confirm",
            "Подтвердите подписку на рассылку «Открытое общение»",
            True,
            "Двойное подтверждение подписки (ссылка)",
        ),
    )
}


def when(value: datetime | str, timezone: str = "Europe/Samara") -> str:
    """``28 марта 2026 г., 18:00`` in the given time zone."""
    return date_ru(value, timezone, with_time=True, year_suffix=True)


def clock(value: datetime | str, timezone: str = "Europe/Samara") -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(ZoneInfo(timezone)):%H:%M}"


def day_ru(value: datetime) -> str:
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def days_word(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "день"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "дня"
    return "дней"


def before_words(offset: timedelta) -> str:
    """``завтра`` / ``через 2 часа`` — how far a reminder is from the start."""
    seconds = int(offset.total_seconds())
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return "завтра" if days == 1 else f"через {days} {days_word(days)}"
    if seconds >= 3600:
        hours = round(seconds / 3600)
        word = (
            "час"
            if hours % 10 == 1 and hours % 100 != 11
            else ("часа" if 2 <= hours % 10 <= 4 and not 12 <= hours % 100 <= 14 else "часов")
        )
        return f"через {hours} {word}"
    minutes = max(seconds // 60, 1)
    return f"через {minutes} мин."


def money(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class UnknownTemplate(LookupError):
    pass


class Renderer:
    def __init__(self) -> None:
        loader = PackageLoader("nkohub_notifications", "templates")
        self._html = self._environment(loader, autoescape=True)
        self._text = self._environment(loader, autoescape=False)

    @staticmethod
    def _environment(loader: PackageLoader, *, autoescape: bool) -> Environment:
        env = Environment(
            loader=loader,
            autoescape=autoescape,
            undefined=StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
        )
        env.filters.update(when=when, clock=clock, days_word=days_word, money=money)
        return env

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        spec = SPECS.get(name)
        if spec is None:
            raise UnknownTemplate(name)
        full = {"name": "", "unsubscribe_url": None, "timezone": "Europe/Samara", **context}
        subject = self._text.from_string(spec.subject).render(full)
        full["subject"] = subject
        text = self._text.get_template(f"mail/{name}.txt").render(full)
        html = self._html.get_template(f"mail/{name}.html").render(full)
        return Rendered(" ".join(subject.split()), text.strip() + "\n", html)


# --- sample data for previews ----------------------------------------------------------

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
        "subscription_confirm": {"confirm_url": "http://localhost:8003/subscriptions/x/confirm"},
    }
    return {**base, **extra.get(name, {})}
