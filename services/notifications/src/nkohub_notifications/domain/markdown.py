"""A mailing's body: Markdown staff write, rendered to sanitised HTML for the HTML part;
the Markdown itself is the plain-text part (it reads as text)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def markdown_html(body: str) -> str:
    """Markdown → HTML with raw HTML off (shown as text), then only harmless tags,
    attributes and URL schemes kept."""
    return nh3.clean(
        _markdown.render(body),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def markdown_text(body: str) -> str:
    """The plain-text part: the Markdown as written, line ends normalised."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"
