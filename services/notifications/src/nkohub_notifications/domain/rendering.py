"""Message templates (Jinja2, Russian): a subject, a plain-text and an HTML part each.

HTML is rendered with autoescape on, text with it off, both in Jinja2's sandbox. Every
template has sample data (``domain.samples``) so staff can preview it; staff may override
its subject and the bodies of its parts (``domain.editing`` checks an override before it
is saved), never the layout around them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import BaseLoader, PackageLoader, StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from nkohub_notifications.domain.wording import clock, days_word, money, when
from nkohub_shared.text import one_line

log = logging.getLogger("nkohub.notifications")


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
        TemplateSpec(
            "specialist_reminder",
            "Напоминание: консультации {{ day_label }}",
            True,
            "Напоминание специалисту накануне: его консультации и кто записан",
        ),
        TemplateSpec(
            "speaker_reminder",
            "Напоминание: ваше выступление {{ day_label }}",
            True,
            "Напоминание выступающему накануне: его пункты программы, время и место",
        ),
        TemplateSpec(
            "alert_question",
            "Новый вопрос к встрече: {{ meetup.title }}",
            True,
            "Оповещение сотрудникам: новый вопрос выступающим",
        ),
        TemplateSpec(
            "alert_waitlist",
            "Лист ожидания больше {{ waitlist.threshold }}: {{ meetup.title }}",
            True,
            "Оповещение сотрудникам: лист ожидания встречи больше порога",
        ),
        TemplateSpec(
            "alert_message_failed",
            "Письмо не доставлено: {{ failure.template_title }}",
            True,
            "Оповещение сотрудникам: письмо не доставлено окончательно",
        ),
        TemplateSpec(
            "erasure_request",
            "Удаление ваших персональных данных",
            True,
            "Ссылка на удаление данных по запросу с публичной формы",
        ),
        TemplateSpec(
            "alert_new_organization",
            "Новая заявка НКО: {{ proposal.name }}",
            True,
            "Оповещение сотрудникам: НКО зарегистрировалась сама, заявка ждёт проверки",
        ),
    )
}
ALERT_TEMPLATES = frozenset(n for n in SPECS if n.startswith("alert_"))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Draft:
    """The editable parts of a template: the subject (a Jinja2 source of one line) and
    the bodies of its HTML and text parts — what goes inside the layout's ``body``
    block. The layout (greeting, footer, the unsubscribe link) is never editable."""

    subject: str
    html: str
    text: str


class UnknownTemplate(LookupError):
    pass


# Variables every template receives, whatever triggered it.
COMMON_DEFAULTS: dict[str, Any] = {
    "name": "",
    "unsubscribe_url": None,
    "preferences_url": None,
    "topic_label": None,
    "question_url": None,
    "short_code": None,
    "timezone": "Europe/Samara",
}
FILTERS = {"when": when, "clock": clock, "days_word": days_word, "money": money}
_BODY = re.compile(
    r'\{% extends "mail/base\.(?:html|txt)" %\}\{% block body %\}(.*)\{% endblock %\}\n?', re.S
)


def wrap(body: str, part: str) -> str:
    """An editable body inside the fixed layout, on the same first line, so that a line
    of the body is the same line of the whole template."""
    layout = "base.html" if part == "html" else "base.txt"
    return f'{{% extends "mail/{layout}" %}}{{% block body %}}{body}{{% endblock %}}'


def sandboxed(loader: BaseLoader, *, autoescape: bool) -> ImmutableSandboxedEnvironment:
    """Templates (staff may edit them) run sandboxed: no attributes starting with ``_``,
    no methods that change data, undefined variables fail."""
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


@dataclass(frozen=True)
class _Compiled:
    version: int
    subject: Template
    html: Template
    text: Template


class Renderer:
    """Renders a template by name: staff's override when there is one (its version is
    kept to notice changes), else the default in ``templates/mail/``."""

    def __init__(self) -> None:
        self._loader = PackageLoader("nkohub_notifications", "templates")
        self._html = sandboxed(self._loader, autoescape=True)
        self._text = sandboxed(self._loader, autoescape=False)
        self._overrides: dict[str, _Compiled] = {}
        self._subjects: dict[str, Template] = {}  # the defaults' subjects, compiled once

    # --- defaults and overrides ------------------------------------------------------

    def default_draft(self, name: str) -> Draft:
        """The default's editable parts, read from its files."""
        spec = self.spec(name)
        parts = {}
        for part, ext in (("html", "html"), ("text", "txt")):
            source, _, _ = self._loader.get_source(self._text, f"mail/{name}.{ext}")
            match = _BODY.fullmatch(source)
            if match is None:  # pragma: no cover - every default is a body in the layout
                raise ValueError(f"mail/{name}.{ext} is not a body in the layout")
            parts[part] = match.group(1)
        return Draft(subject=spec.subject, html=parts["html"], text=parts["text"])

    def compile(self, draft: Draft) -> tuple[Template, Template, Template]:
        """The draft's subject, HTML and text as templates (syntax errors raise)."""
        return (
            self._text.from_string(draft.subject),
            self._html.from_string(wrap(draft.html, "html")),
            self._text.from_string(wrap(draft.text, "text")),
        )

    def use_overrides(self, overrides: dict[str, tuple[int, Draft]]) -> None:
        """Staff's overrides by template name with their versions; only changed ones are
        compiled again. One that does not compile is left out (the default is used)."""
        current: dict[str, _Compiled] = {}
        for name, (version, draft) in overrides.items():
            known = self._overrides.get(name)
            if known is not None and known.version == version:
                current[name] = known
                continue
            try:
                current[name] = _Compiled(version, *self.compile(draft))
            except Exception:
                log.exception("the override of template %s does not compile", name)
        self._overrides = current

    def override_version(self, name: str) -> int | None:
        compiled = self._overrides.get(name)
        return compiled.version if compiled else None

    # --- rendering --------------------------------------------------------------------

    @staticmethod
    def spec(name: str) -> TemplateSpec:
        spec = SPECS.get(name)
        if spec is None:
            raise UnknownTemplate(name)
        return spec

    @staticmethod
    def full_context(context: dict[str, Any]) -> dict[str, Any]:
        return {**COMMON_DEFAULTS, **context}

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        """Staff's override if any; should it fail (it was checked on sample data when
        saved), the default, and the failure is logged — the message is not lost."""
        spec = self.spec(name)
        override = self._overrides.get(name)
        if override is not None:
            try:
                return self._render(override.subject, override.html, override.text, context)
            except Exception:
                log.exception("override of template %s failed; the default is used", name)
        return self.render_default(spec.name, context)

    def render_default(self, name: str, context: dict[str, Any]) -> Rendered:
        spec = self.spec(name)
        subject = self._subjects.get(spec.subject)
        if subject is None:  # compiling costs more than rendering (a fan-out renders many)
            subject = self._subjects[spec.subject] = self._text.from_string(spec.subject)
        return self._render(
            subject,
            self._html.get_template(f"mail/{name}.html"),
            self._text.get_template(f"mail/{name}.txt"),
            context,
        )

    def environment(self, part: str) -> ImmutableSandboxedEnvironment:
        return self._html if part == "html" else self._text

    def render_part(self, draft: Draft, part: str, context: dict[str, Any]) -> str:
        """One part of a draft alone (to tell which part fails)."""
        full = {**self.full_context(context), "subject": "…"}
        if part == "subject":
            return self._text.from_string(draft.subject).render(full)
        return self.environment(part).from_string(wrap(getattr(draft, part), part)).render(full)

    def render_draft(self, draft: Draft, context: dict[str, Any]) -> Rendered:
        """A draft rendered as it would be sent (errors raise)."""
        return self._render(*self.compile(draft), context)

    def _render(
        self, subject_t: Template, html_t: Template, text_t: Template, context: dict[str, Any]
    ) -> Rendered:
        full = self.full_context(context)
        subject = subject_t.render(full)
        full["subject"] = subject
        text = text_t.render(full)
        html = html_t.render(full)
        return Rendered(one_line(subject), text.strip() + "\n", html)
