"""Helpers of the publishing unit tests: attacks on the Markdown renderer and a checker
that reads HTML the way a browser's parser does."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from nkohub_contracts.common import MeetupSnapshot, ProgramItem
from tests.support.snapshots import MEETUP_STARTS, meetup_snapshot

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

DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "form", "div", "math"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


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


def meetup(**changes) -> MeetupSnapshot:
    """The meetup of ``tests.support.snapshots``, its program out of order (and the talk
    timed) to prove the rules sort it."""
    program = [
        ProgramItem(position=2, kind="qa_session", title="Вопросы главе города"),
        ProgramItem(
            position=1,
            kind="talk",
            title="Изменения в уставе",
            speaker_name="Юрист",
            starts_at=MEETUP_STARTS + timedelta(minutes=10),
        ),
    ]
    return meetup_snapshot(**{"program": program, **changes})
