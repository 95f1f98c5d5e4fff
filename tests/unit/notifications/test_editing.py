"""Checks of staff's template drafts: exact refusals (part, line, message), the sandbox,
autoescape, the layout and its unsubscribe link outside the editable part, the fallback
to the default when an override fails at send time."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from nkohub_notifications.domain.editing import TemplateRefused, check, variables
from nkohub_notifications.domain.rendering import SPECS, Draft, Renderer
from nkohub_notifications.domain.samples import sample_context


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_default_passes_its_own_check(renderer, name):
    draft = renderer.default_draft(name)
    assert check(renderer, name, draft) == renderer.render_default(name, sample_context(name))


@pytest.mark.parametrize(
    ("change", "part", "line", "message"),
    [
        ({"html": "<p>a</p>\n{{ nobody }}"}, "html", 2, "неизвестная переменная nobody"),
        ({"text": "a\n\n{% if %}"}, "text", 3, "ошибка синтаксиса: Expected an expression"),
        ({"subject": "{{ meetup.nope }}"}, "subject", 1, "не определено: 'dict object' has no"),
        ({"subject": "Тема\nвторая"}, "subject", None, "тема — одна строка"),
        ({"text": "  "}, "text", None, "пусто"),
        ({"html": "x" * 100_001}, "html", None, "длиннее 100000 знаков"),
        ({"html": '{% include "mail/base.html" %}'}, "html", 1, "включать можно только"),
        ({"html": "{% endblock %}{% block body %}"}, "html", 1, "ошибка синтаксиса"),
        ({"html": "{% block footer %}{% endblock %}"}, "html", 1, "только текст письма"),
        (
            {"html": "{% autoescape false %}{{ name }}{% endautoescape %}"},
            "html",
            1,
            "экранирование",
        ),
        ({"html": "{{ name | safe }}"}, "html", 1, "фильтр safe нельзя"),
        ({"text": "{{ name | shell }}"}, "text", 1, "неизвестный фильтр shell"),
        ({"html": "a\n{{ 1 / 0 }}"}, "html", 2, "ZeroDivisionError"),
    ],
)
def test_a_bad_draft_is_refused_naming_part_and_line(renderer, change, part, line, message):
    draft = dataclasses.replace(renderer.default_draft("reminder"), **change)
    with pytest.raises(TemplateRefused) as refused:
        check(renderer, "reminder", draft)
    assert (refused.value.part, refused.value.line) == (part, line)
    assert message in refused.value.message


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__",
        "''.__class__.__mro__[1].__subclasses__()",
        "meetup.program.append(1)",
        "meetup.update(a=1)",
        "cycler.__init__.__globals__",
    ],
)
def test_the_sandbox_refuses_reaching_outside(renderer, expression):
    draft = dataclasses.replace(
        renderer.default_draft("reminder"), html=f"x\n{{{{ {expression} }}}}"
    )
    with pytest.raises(TemplateRefused) as refused:
        check(renderer, "reminder", draft)
    assert refused.value.part == "html" and refused.value.line == 2
    assert refused.value.message.startswith(("запрещено в шаблоне", "не определено"))


def test_html_is_escaped_and_text_is_not(renderer):
    draft = dataclasses.replace(
        renderer.default_draft("reminder"), html="<p>{{ name }}</p>", text="{{ name }}"
    )
    rendered = renderer.render_draft(draft, {**sample_context("reminder"), "name": "<b>Я</b>"})
    assert "<p>&lt;b&gt;Я&lt;/b&gt;</p>" in rendered.html
    assert "<b>Я</b>" in rendered.text


def test_the_layout_and_unsubscribe_link_stay_whatever_the_body(renderer):
    context = sample_context("meetup_announcement")
    draft = Draft(subject="Анонс", html="<p>Только это</p>", text="Только это")
    rendered = check(renderer, "meetup_announcement", draft)
    assert (
        context["unsubscribe_url"] in rendered.html and context["unsubscribe_url"] in rendered.text
    )
    assert (
        rendered.html.startswith("<!DOCTYPE html>")
        and "Здравствуйте, Мария Петрова!" in rendered.html
    )


def test_an_override_failing_at_send_time_falls_back_to_the_default(renderer, caplog):
    own = Renderer()
    # Passes on the sample data (its meetup has a program) but not on a meetup without one.
    draft = dataclasses.replace(
        own.default_draft("reminder"), text="Первый пункт: {{ meetup.program[0].title }}"
    )
    check(own, "reminder", draft)
    own.use_overrides({"reminder": (1, draft)})
    context = sample_context("reminder")
    assert own.render("reminder", context).text.startswith("Здравствуйте, Мария Петрова!\n\nПервый")
    without_program = {**context, "meetup": {**context["meetup"], "program": []}}
    with caplog.at_level(logging.ERROR, logger="nkohub.notifications"):
        rendered = own.render("reminder", without_program)
    assert rendered == own.render_default("reminder", without_program)
    assert "override of template reminder failed" in caplog.text


def test_variables_are_listed_with_descriptions_and_samples():
    listed = {v.name: v for v in variables("registration_waitlisted")}
    assert listed["position"].description == "номер в листе ожидания"
    assert listed["position"].sample == "3"
    assert "otkrytoe-obshchenie-aprel" in listed["meetup"].sample
