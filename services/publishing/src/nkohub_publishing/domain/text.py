"""The text of posts: slugs, Markdown rendering and sanitising, excerpts, search words."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from nkohub_shared.text import html_to_text, make_slug

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80
EXCERPT_LENGTH = 240
QUERY_WORDS_MAX = 8


# characters XML 1.0 forbids (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/F):
# a feed with one of them cannot be written at all
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry (they never belong in a post)."""
    return _NOT_XML.sub("", text)


def post_slug(title: str) -> str:
    """Latin slug of a (Cyrillic) title, passport romanisation: ``Гранты для НКО`` →
    ``granty-dlia-nko``; ``post`` when nothing is left."""
    return make_slug(title, fallback="post", max_length=SLUG_MAX)


def slug_variant(wanted: str, n: int) -> str:
    """The ``n``-th candidate for a slug: ``wanted``, ``wanted-2``, ``wanted-3``…"""
    return wanted if n == 1 else f"{wanted[: SLUG_MAX - 5]}-{n}"


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    """Only harmless tags, attributes and URL schemes; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(body: str) -> str:
    """Markdown → HTML with raw HTML off (it is shown as text), then sanitised."""
    return sanitize_html(_markdown.render(body))


def text_of(html: str) -> str:
    """The text of sanitised HTML on one line, every entity decoded; a block or line-break
    tag separates words (``<p>a</p><p>b</p>``, ``a<br>b``: two words, as a browser shows)."""
    return html_to_text(html)


def derive_excerpt(html: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of the text, cut at a word, with an ellipsis."""
    text = text_of(html)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",.;:—- ")
    return cut + "…"


def normalize(text: str) -> str:
    """Search form: lower case, ё → е."""
    return text.lower().replace("ё", "е")


_WORD_RE = re.compile(r"[0-9a-zа-я]+")
_SPACE_RE = re.compile(r"\s+")


def search_words(*texts: str) -> list[str]:
    """The distinct normalised words of the texts (what search matches by prefix)."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD_RE.findall(normalize(text)):
            seen.setdefault(word, None)
    return list(seen)


def query_words(query: str) -> list[str]:
    """The words a search looks for (each as a prefix), at most ``QUERY_WORDS_MAX``."""
    return search_words(query)[:QUERY_WORDS_MAX]


def normalize_tag(tag: str) -> str:
    return _SPACE_RE.sub(" ", tag).strip().lower()


def rendered_fields(
    title: str, body: str, explicit_excerpt: str | None, body_format: str = "markdown"
) -> dict[str, object]:
    """What a post stores derived from its text: HTML, excerpt, search words. Imported
    posts keep their HTML body (``body_format="html"``), sanitised the same way."""
    html = sanitize_html(body) if body_format == "html" else render_markdown(body)
    excerpt = explicit_excerpt if explicit_excerpt else derive_excerpt(html)
    return {
        "html": html,
        "excerpt": excerpt,
        "excerpt_explicit": bool(explicit_excerpt),
        "words": search_words(title, text_of(html)),
        "body_format": body_format,
    }
