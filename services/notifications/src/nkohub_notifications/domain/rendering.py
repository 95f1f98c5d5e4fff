"""Message templates (Jinja2, Russian): a subject, a plain-text and an HTML part each.

HTML is rendered with autoescape on, text with it off. Every template has sample data
(``domain.samples``) so staff can preview it (``GET /api/v1/staff/templates/{name}/preview``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from nkohub_notifications.domain.wording import clock, days_word, money, when
from nkohub_shared.text import one_line


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
            "mailing",
            "{{ mailing_subject }}",
            False,
            "Рассылка, которую написали сотрудники библиотеки (Markdown)",
        ),
        TemplateSpec(
            "subscription_confirm",
            "Подтвердите подписку на рассылку «Открытое общение»",
            True,
            "Двойное подтверждение подписки (ссылка)",
        ),
    )
}


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
        full = {
            "name": "",
            "unsubscribe_url": None,
            "preferences_url": None,
            "topic_label": None,
            "question_url": None,
            "short_code": None,
            "timezone": "Europe/Samara",
            **context,
        }
        subject = self._text.from_string(spec.subject).render(full)
        full["subject"] = subject
        text = self._text.get_template(f"mail/{name}.txt").render(full)
        html = self._html.get_template(f"mail/{name}.html").render(full)
        return Rendered(one_line(subject), text.strip() + "\n", html)
