"""Markdown is rendered with raw HTML off and sanitised: XSS attempts come out harmless."""

from __future__ import annotations

import pytest

from nkohub_publishing.domain.text import render_markdown, rendered_fields, sanitize_html
from tests.unit.publishing.conftest import ATTACKS, harmless


def test_the_checker_catches_live_attacks():
    assert not harmless('<img src="x" onerror="alert(1)">')
    assert not harmless('<a href="javascript:alert(1)">x</a>')
    assert not harmless("<script>alert(1)</script>")
    assert harmless("&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_rendered_harmless(attack):
    html = render_markdown(attack)
    assert harmless(html), html


def test_a_script_is_shown_as_text():
    assert render_markdown("<script>alert('x')</script>") == (
        "<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>\n"
    )


def test_a_javascript_link_is_no_link():
    assert render_markdown("[жми](javascript:alert(1))") == "<p>[жми](javascript:alert(1))</p>\n"
    assert render_markdown("[жми](JaVaScRiPt:alert(1))").count("<a") == 0
    assert sanitize_html('<a href="javascript:alert(1)">x</a> <img src="data:x">') == (
        '<a rel="noopener noreferrer">x</a> <img>'
    )


def test_raw_html_is_shown_as_text_and_links_get_noopener():
    html = render_markdown("<b>жирный?</b> и [сайт](https://example.org)")
    assert html == (
        "<p>&lt;b&gt;жирный?&lt;/b&gt; и "
        '<a href="https://example.org" rel="noopener noreferrer">сайт</a></p>\n'
    )


def test_markdown_features_survive():
    html = render_markdown(
        "# Заголовок\n\n**важно** и *курсив*\n\n- один\n- два\n\n`код`\n\n~~было~~\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    for fragment in (
        "<h1>Заголовок</h1>",
        "<strong>важно</strong>",
        "<em>курсив</em>",
        "<li>один</li>",
        "<code>код</code>",
        "<s>было</s>",
        "<td>1</td>",
    ):
        assert fragment in html, fragment


def test_imported_html_is_sanitised_not_escaped():
    html = sanitize_html(
        '<p onclick="x()">Текст <a href="https://a.example">ссылка</a></p><script>x</script>'
    )
    assert html == ('<p>Текст <a href="https://a.example" rel="noopener noreferrer">ссылка</a></p>')
    fields = rendered_fields("Заголовок", '<p style="color:red">Абзац</p>', None, "html")
    assert fields["html"] == "<p>Абзац</p>" and fields["body_format"] == "html"
