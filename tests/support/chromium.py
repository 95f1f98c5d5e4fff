"""Debian's Chromium driven by Playwright, for the browser tests (mark ``browser``): one
browser per module, and a console session signed in through the login form as a person
would (its cookies then reused by every page of the test)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian's chromium missing"
)


@contextlib.asynccontextmanager
async def launched() -> AsyncIterator[Any]:
    """A headless Chromium, closed afterwards."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def console_session(browser: Any, console_url: str, email: str, password: str) -> Any:
    """The cookies of a console session (Playwright's storage state), signed in through the
    console's login form; pass it as ``storage_state`` to ``browser.new_context``."""
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
    try:
        page = await context.new_page()
        await page.goto(console_url + "/console/login")
        await page.fill("#f-email", email)
        await page.fill("#f-password", password)
        async with page.expect_navigation():
            await page.click("form[action='/console/login'] button[type=submit]")
        assert "/console/login" not in page.url, f"{email} was not signed in: {page.url}"
        return await context.storage_state()
    finally:
        await context.close()
