"""What a browser (or a feed reader rendering HTML) would run in a piece of markup."""

from __future__ import annotations

from html.parser import HTMLParser

EXECUTABLE_TAGS = {"script", "iframe", "object", "embed", "base", "svg", "math"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EXECUTABLE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            url = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in URL_ATTRIBUTES and url.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def executable_parts(markup: str) -> list[str]:
    """Tags and attributes that would run code when ``markup`` is rendered as HTML."""
    finder = _Finder()
    finder.feed(markup)
    finder.close()
    return finder.found
