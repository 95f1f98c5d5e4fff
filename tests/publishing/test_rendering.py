"""Markdown is rendered with raw HTML off and sanitised: XSS attempts come out harmless."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from nkohub_publishing.domain import make_slug, render_markdown
from tests.publishing.conftest import make_post

ATTACKS = [
    "<script>alert('x')</script>",
    "[жми](javascript:alert(1))",
    "[жми](JaVaScRiPt:alert(1))",
    "[жми](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="x" onerror="alert(1)">',
    "![x](javascript:alert(1))",
    '<a href="https://ok.example" onclick="alert(1)">ссылка</a>',
    "<iframe src='https://evil.example'></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    "<svg/onload=alert(1)>",
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "form", "div", "math"}


def harmless(html: str) -> bool:
    """No dangerous element, no event-handler attribute, no script or data URL, as a
    browser's parser sees the HTML (escaped text does not count)."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag in DANGEROUS_TAGS:
            return False
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                return False
            url = (value or "").strip().lower()
            if name in ("href", "src") and not url.startswith(("http://", "https://", "mailto:")):
                return False
    return True


def test_the_checker_catches_live_attacks():
    assert not harmless('<img src="x" onerror="alert(1)">')
    assert not harmless('<a href="javascript:alert(1)">x</a>')
    assert not harmless("<script>alert(1)</script>")
    assert harmless("&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_rendered_harmless(attack):
    html = render_markdown(attack)
    assert harmless(html), html


def test_raw_html_is_shown_as_text_and_links_get_noopener():
    html = render_markdown("<b>жирный?</b> и [сайт](https://example.org)")
    assert "&lt;b&gt;" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_features_survive():
    html = render_markdown("# Заголовок\n\n**важно** и *курсив*\n\n- один\n- два\n\n`код`")
    for fragment in (
        "<h1>",
        "<strong>важно</strong>",
        "<em>курсив</em>",
        "<li>один</li>",
        "<code>",
    ):
        assert fragment in html


def test_slug_transliteration_follows_the_passport_system():
    assert make_slug("Жюри, щука, цапля, чай, хор, ёлка, йога, съезд") == (
        "zhiuri-shchuka-tsaplia-chai-khor-elka-ioga-sezd"
    )
    assert make_slug("!!!") == "post"


async def test_post_page_with_attacks_is_safe(client):
    post = await make_post(client, title="<script>alert(1)</script>", body="\n\n".join(ATTACKS))
    page = await client.get(f"/posts/{post['slug']}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, "the title is escaped"
    body = page.text.split('<div class="post-body">', 1)[1].split("</article>", 1)[0]
    assert harmless(body), body
