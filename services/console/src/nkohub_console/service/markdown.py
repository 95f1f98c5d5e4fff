"""The editor's preview of a post's Markdown: rendered as the blog renders it (CommonMark,
raw HTML off) and sanitised with nh3, so a preview never runs anything."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
PREVIEW_MAX = 200_000


def preview_html(source: str) -> str:
    return nh3.clean(
        _markdown.render(source[:PREVIEW_MAX]),
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto", "tel"},
    )
