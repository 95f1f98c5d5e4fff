"""Staff's overrides of message templates: what each template may use, and the checks a
draft passes before it is saved — so that a broken template is refused on save, with its
part and line, and never found at send time.

A draft is refused when a part is empty or too long, the subject spans lines, a part has
a syntax error, uses a variable its template does not receive, steps outside the body
(``extends``, ``block``, ``import``, an include other than the ``mail/_*`` pieces),
turns escaping off (``autoescape``, ``safe`` on anything but a mailing's sanitised body),
or fails when rendered on the template's sample data (the sandbox refuses ``_``-attributes
and methods that change data). The layout with the unsubscribe link stays outside the
editable part; the rendered sample is checked to carry that link anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError

from nkohub_notifications.domain.rendering import (
    COMMON_DEFAULTS,
    Draft,
    Rendered,
    Renderer,
)
from nkohub_notifications.domain.samples import sample_context

PARTS = ("subject", "html", "text")
MAX_CHARS = {"subject": 300, "html": 100_000, "text": 50_000}
SAFE_VARIABLES = {"body_html"}  # already sanitised HTML (a mailing's Markdown)

# What a variable means, in Russian, for the edit form.
DESCRIPTIONS: dict[str, str] = {
    "name": "имя получателя (пусто, если письмо никого не называет)",
    "subject": "тема письма (уже готовая)",
    "timezone": "часовой пояс для дат (Europe/Samara)",
    "unsubscribe_url": "ссылка отписки (в рассылках)",
    "preferences_url": "ссылка на настройки подписки",
    "topic_label": "название темы рассылки",
    "question_url": "ссылка на форму вопроса к встрече",
    "short_code": "код для входа на встречу (6 знаков)",
    "meetup": "встреча: title, starts_at, ends_at, venue.name, venue.address, "
    "public_url, program, description, timezone",
    "cancel_url": "ссылка отмены регистрации или записи",
    "position": "номер в листе ожидания",
    "cancelled_by": "кто отменил: participant или staff",
    "changes": "что изменилось во встрече (список)",
    "with_invitation": "приложено ли обновлённое приглашение .ics",
    "reason": "причина",
    "before": "когда встреча: «завтра», «через 2 часа»",
    "consultation": "консультация: specialist.name, specialist.specialty, starts_at, "
    "duration_minutes, organization_name, question, contact.name",
    "for_specialist": "письмо специалисту (а не НКО)",
    "feedback_url": "ссылка на отзыв о встрече",
    "grant": "конкурс: name, operator, closes_at, days_left, url, max_amount",
    "day": "день подборки",
    "posts": "записи блога: title, category, url, excerpt",
    "mailing_subject": "тема рассылки, которую написали сотрудники",
    "body_html": "текст рассылки (HTML, уже очищенный)",
    "body_text": "текст рассылки (Markdown как текст)",
    "confirm_url": "ссылка подтверждения подписки",
    "link_days": "сколько дней действует ссылка",
    "organization": "НКО: name, city, activity_areas",
    "question": "вопрос: text, addressed_to",
    "waitlist": "лист ожидания: length, threshold",
    "proposal": "заявка НКО: name, full_name, city, activity_areas (по-русски), "
    "submitted_at, url (страница заявки в консоли)",
    "failure": "сбой: message_id, template, template_title, channel, reason",
    "slots": "консультации специалиста: starts_at, duration_minutes, "
    "organization_name, contact_name",
    "specialist": "специалист: name, specialty, body",
    "day_label": "день консультаций или выступления («16 апреля 2026 г.»)",
    "items": "пункты программы выступающего: position, title, starts_at",
}


class TemplateRefused(ValueError):
    """A draft that cannot be saved: the part, a Russian message, the line if known."""

    def __init__(self, part: str, message: str, line: int | None = None) -> None:
        where = f", строка {line}" if line else ""
        super().__init__(f"{part}{where}: {message}")
        self.part = part
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    sample: str


def variables(name: str) -> list[Variable]:
    """The variables a template receives, with a description and the sample value."""
    context = {**COMMON_DEFAULTS, **sample_context(name), "subject": "…"}
    return [
        Variable(key, DESCRIPTIONS.get(key, ""), _sample(value))
        for key, value in sorted(context.items())
    ]


def _sample(value: Any, limit: int = 300) -> str:
    def default(v: Any) -> str:
        return v.isoformat() if isinstance(v, datetime | date) else str(v)

    shown = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=default)
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check(renderer: Renderer, name: str, draft: Draft) -> Rendered:
    """The draft rendered on sample data, or ``TemplateRefused`` naming what is wrong."""
    spec = renderer.spec(name)
    known = set(COMMON_DEFAULTS) | set(sample_context(name)) | {"subject"}
    for part in PARTS:
        source = getattr(draft, part)
        if not source.strip():
            raise TemplateRefused(part, "пусто")
        if len(source) > MAX_CHARS[part]:
            raise TemplateRefused(part, f"длиннее {MAX_CHARS[part]} знаков")
    if "\n" in draft.subject.strip() or "\r" in draft.subject:
        raise TemplateRefused("subject", "тема — одна строка")
    for part in PARTS:
        _check_source(
            renderer,
            part,
            getattr(draft, part),
            known - ({"subject"} if part == "subject" else set()),
        )
    context = sample_context(name)
    try:
        rendered = renderer.render_draft(draft, context)
    except Exception as exc:
        raise _render_refusal(renderer, draft, context, exc) from None
    if not spec.transactional:
        link = context.get("unsubscribe_url")
        if link and (link not in rendered.text or link not in rendered.html):
            part = "text" if link not in rendered.text else "html"
            raise TemplateRefused(part, "в письме нет ссылки отписки")
    return rendered


def _check_source(renderer: Renderer, part: str, source: str, known: set[str]) -> None:
    env = renderer.environment(part)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateRefused(part, f"ошибка синтаксиса: {exc.message}", exc.lineno) from None
    for node in tree.find_all((nodes.Extends, nodes.Block, nodes.Import, nodes.FromImport)):
        raise TemplateRefused(
            part, "можно менять только текст письма (без extends/block/import)", node.lineno
        )
    for node in tree.find_all(nodes.Include):
        target = node.template
        if not (isinstance(target, nodes.Const) and str(target.value).startswith("mail/_")):
            raise TemplateRefused(part, "включать можно только части mail/_*", node.lineno)
    for node in tree.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
        raise TemplateRefused(part, "нельзя отключать экранирование", node.lineno)
    for node in tree.find_all(nodes.Filter):
        if node.name == "safe" and not (
            isinstance(node.node, nodes.Name) and node.node.name in SAFE_VARIABLES
        ):
            raise TemplateRefused(part, "фильтр safe нельзя (кроме body_html)", node.lineno)
        if node.name not in env.filters:
            raise TemplateRefused(part, f"неизвестный фильтр {node.name}", node.lineno)
    unknown = meta.find_undeclared_variables(tree) - known
    if unknown:
        first = sorted(unknown)[0]
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == first), None)
        raise TemplateRefused(part, f"неизвестная переменная {first}", line)


def _render_refusal(
    renderer: Renderer, draft: Draft, context: dict[str, Any], exc: Exception
) -> TemplateRefused:
    """Which part failed on the sample data (each is rendered alone), and where."""
    for part in PARTS:
        try:
            renderer.render_part(draft, part, context)
        except Exception as failure:
            return TemplateRefused(part, _what(failure), _template_line(failure))
    return TemplateRefused("html", _what(exc), _template_line(exc))


def _what(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"запрещено в шаблоне: {exc}"
    if isinstance(exc, UndefinedError):
        return f"не определено: {exc.message}"
    return f"ошибка на примерных данных: {type(exc).__name__}: {exc}"


def _template_line(exc: BaseException) -> int | None:
    """The line of the template in the traceback Jinja2 rewrites for template frames."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
