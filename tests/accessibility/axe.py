"""axe-core (vendored: ``tests/support/axe/``) run in a Playwright page, and what a visitor
with poor sight or a small screen needs checked besides: the visually impaired version's
cookie, sideways scrolling at 320 px and at 200 % zoom.

The script is evaluated through the DevTools protocol, so the pages' Content-Security-
Policy (no inline script) stays in force."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nkohub_shared.web.accessibility import COOKIE, Presentation, Scheme

AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_PATH = Path(__file__).resolve().parents[1] / "support" / "axe" / "axe.min.js"
# What WCAG 2.1 A and AA ask, and axe's best practices (headings, landmarks, skip links).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")
AXE_SECONDS = 60  # one page's run takes well under a second; a hang must not last 10 min

# The versions every page is checked in: the ordinary one and the visually impaired one
# with its default settings; the other colour schemes, sizes, spacing and images off on a
# few pages that have all kinds of content (tests/accessibility/test_axe_pages.py).
ORDINARY = Presentation()
IMPAIRED = Presentation(on=True)
SCHEMES = {
    "белым по чёрному, самый крупный, без изображений": Presentation(
        on=True, size=3, scheme=Scheme.WHITE_ON_BLACK, images=False
    ),
    "синим по голубому, крупный, широкие интервалы": Presentation(
        on=True, size=2, scheme=Scheme.BLUE, wide=True
    ),
}


def axe_source() -> str:
    source = AXE_PATH.read_text("utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == AXE_SHA256, f"{AXE_PATH} is not axe-core {AXE_VERSION} as vendored"
    return source


async def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (WCAG 2.1 A/AA and best practices)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    results = await asyncio.wait_for(
        page.evaluate("async (o) => JSON.stringify(await axe.run(document, o))", options),
        AXE_SECONDS,
    )
    return json.loads(results)["violations"]


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations, one per line with the elements they name (for a failure message)."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:6]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']} {node['html'][:160]} — {summary[:240]}")
    return "\n".join(lines)


async def use_presentation(context: Any, base_url: str, presentation: Presentation) -> None:
    """The visitor's cookie for the site at ``base_url`` (as the switch sets it)."""
    host = urlsplit(base_url).hostname
    await context.clear_cookies()
    if presentation != ORDINARY:
        cookie = {"name": COOKIE, "value": presentation.cookie, "domain": host, "path": "/"}
        await context.add_cookies([cookie])


async def scroll_width(page: Any, width: int, height: int = 800) -> int:
    """The page's width at a viewport ``width`` CSS pixels wide (no reload)."""
    await page.set_viewport_size({"width": width, "height": height})
    return int(await page.evaluate("document.documentElement.scrollWidth"))
