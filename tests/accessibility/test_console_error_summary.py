"""Without a browser: a refused console form lists every error at the top (role="alert"),
the fields it shows as links to them, the fields it does not show by their Russian names;
the first shown invalid field is focused, invalid and described by its error."""

from __future__ import annotations

import re

from starlette.requests import Request

from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import render


def _request(path: str) -> Request:
    return Request(
        {"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": []}
    )


def _page(errors: FormErrors) -> str:
    me = {"_id": "a1", "name": "Татьяна", "role": "staff"}
    response = render(
        _request("/console/meetups/new"),
        "meetup_form.html",
        status_code=422,
        errors=errors,
        form={"title": ""},
        me=me,
        csrf="t",
        meetup=None,
        program_rows=2,
    )
    return response.body.decode()


def test_a_field_the_form_does_not_show_is_named_at_the_top():
    errors = FormErrors()
    errors.add("venue.hall_capacity", "зал меньше числа мест")
    errors.add("title", "обязательное поле")
    errors.add(None, "встреча уже идёт")
    html = _page(errors)
    summary = re.search(
        r'<div class="errors" role="alert" id="errors"[^>]*>(.*?)</div>', html, re.S
    )
    assert summary is not None, html
    items = re.findall(r"<li>(.*?)</li>", summary.group(1))
    assert items == [
        "встреча уже идёт",
        '<a href="#f-title">Название</a>: обязательное поле',
        "мест в зале: зал меньше числа мест",
    ]
    assert "autofocus" not in summary.group(0), "the shown field takes the focus"
    field = re.search(r'<input id="f-title"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="e-title"' in field
    assert " autofocus" in field
    assert html.count("autofocus") == 1
    assert re.search(r"<title>Ошибка: Новая встреча — ", html)


def test_only_unshown_fields_put_the_focus_on_the_summary():
    errors = FormErrors()
    errors.add("meetup_id", "встреча отменена")
    html = _page(errors)
    assert re.search(r'<div class="errors" role="alert" id="errors" tabindex="-1" autofocus>', html)
    assert "<li>встреча: встреча отменена</li>" in html
    assert html.count("autofocus") == 1 and 'aria-invalid="true"' not in html


def test_a_page_without_errors_has_no_summary():
    html = _page(FormErrors())
    assert 'id="errors"' not in html and "aria-invalid" not in html
    assert re.search(r"<title>Новая встреча — консоль «Открытое общение»</title>", html)


def _mailing_form(errors: FormErrors) -> str:
    from nkohub_console.pages.mailings import LABELS

    response = render(
        _request("/console/mailings/new"),
        "mailing_form.html",
        status_code=422,
        errors=errors,
        form={"kind": "topic", "subject": "Приглашение"},
        me={"_id": "a1", "name": "Татьяна", "role": "staff"},
        csrf="t",
        mailing=None,
        audience=None,
        meetups={},
        labels=LABELS,
    )
    return response.body.decode()


def test_the_mailing_form_has_one_summary_and_its_groups_are_fields():
    """A refused segment names a group of radios or boxes: the summary links the group by
    its legend, the group is invalid, described by its error and focused."""
    errors = FormErrors()
    errors.add("kind", "выберите тему")
    errors.add("statuses", "выберите хотя бы один статус")
    errors.add("subject", "обязательное поле")
    errors.add("attachments", "вместе больше 10 МБ")
    html = _mailing_form(errors)
    assert html.count('role="alert"') == 1, "one summary: the console's"
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        '<a href="#f-subject">Тема письма</a>: обязательное поле',
        '<a href="#f-kind">Кому</a>: выберите тему',
        '<a href="#f-statuses">Статусы участников</a>: выберите хотя бы один статус',
        '<a href="#f-attachments">Вложения (PDF и изображения из «Файлов», вместе до 10 МБ)</a>:'
        " вместе больше 10 МБ",
    ]
    kind = re.search(r'<fieldset [^>]*id="f-kind"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in kind and 'aria-invalid="true"' in kind
    assert 'aria-describedby="e-kind"' in kind and "autofocus" not in kind
    statuses = re.search(r'<fieldset [^>]*id="f-statuses"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in statuses and 'aria-describedby="e-statuses"' in statuses
    assert re.search(r'<input id="f-subject"[^>]*aria-invalid="true"[^>]*autofocus', html)
    assert html.count("autofocus") == 1
    assert '<div class="field-error" id="e-kind">' in html
