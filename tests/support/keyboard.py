"""A person at the keyboard in Chromium (Playwright): Tab (and Shift+Tab) to a stop, type,
press keys; JavaScript off. Every focus it sees that cannot be seen by the person — no
outline of at least 2 px (nor, where the pages use one, a box shadow) — is noted in
``unseen``, which a test asserts empty at its end."""

from __future__ import annotations

from typing import Any

TAB_LIMIT = 120  # more stops than any page has: a target never reached fails, not hangs
VIEWPORT = {"width": 1024, "height": 800}

# The focused element: its accessible name (aria-label, else its text or value) and
# whether its focus shows (``outline`` in px; ``shadow``: a box shadow is drawn).
FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {
        tag: e.tagName.toLowerCase(), id: e.id, type: e.type || '',
        text: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().slice(0, 80),
        outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
        shadow: style.boxShadow !== 'none',
        invalid: e.getAttribute('aria-invalid'), describedby: e.getAttribute('aria-describedby'),
    };
}"""


async def keyboard_page(browser: Any) -> Any:
    """A page in a context of its own (JavaScript off, Russian); close its ``context``."""
    context = await browser.new_context(
        java_script_enabled=False, viewport=VIEWPORT, locale="ru-RU"
    )
    return await context.new_page()


class Keyboard:
    """Keys as a person presses them, noting every focus that cannot be seen.

    ``shadow_shows_focus``: a box shadow counts as a visible focus (the console draws its
    focus so); the public pages must show an outline."""

    def __init__(self, page: Any, *, shadow_shows_focus: bool = False) -> None:
        self.page = page
        self.shadow_shows_focus = shadow_shows_focus
        self.unseen: list[str] = []

    def _visible(self, now: dict[str, Any]) -> bool:
        return now["outline"] >= 2 or (self.shadow_shows_focus and now["shadow"])

    async def focused(self) -> dict[str, Any]:
        now = await self.page.evaluate(FOCUSED)
        if now["tag"] != "body" and not self._visible(now):
            self.unseen.append(f"{self.page.url}: <{now['tag']} id={now['id']}> {now['text']}")
        return now

    async def tab_to(self, *, id: str = "", text: str = "", back: bool = False) -> dict[str, Any]:
        """Tab (Shift+Tab with ``back``) until the stop with this ``id`` or ``text``."""
        for _ in range(TAB_LIMIT):
            await self.page.keyboard.press("Shift+Tab" if back else "Tab")
            now = await self.focused()
            if (id and now["id"] == id) or (text and text in now["text"]):
                return now
        raise AssertionError(f"Tab never reached {id or text!r} on {self.page.url}")

    async def type(self, words: str) -> None:
        await self.page.keyboard.type(words)

    async def erase(self, count: int) -> None:
        """``count`` characters from the end of the focused field."""
        await self.page.keyboard.press("End")
        for _ in range(count):
            await self.page.keyboard.press("Backspace")

    async def press(self, key: str, *, navigates: bool = False) -> None:
        if navigates:
            async with self.page.expect_navigation():
                await self.page.keyboard.press(key)
        else:
            await self.page.keyboard.press(key)

    def assert_all_seen(self) -> None:
        assert not self.unseen, "focus not visible:\n" + "\n".join(self.unseen)
