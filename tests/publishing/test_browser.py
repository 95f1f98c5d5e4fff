"""The public pages in headless Chromium (Debian's, through Playwright): home, a post,
search and the grants calendar, at phone width, without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from nkohub_publishing.app import create_app
from tests.support.chromium import launched, needs_chromium
from tests.support.inprocess import serving, staff_headers

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
async def site(publishing_settings):
    async with serving(create_app(publishing_settings())) as base:
        await _seed(base)
        yield base


async def _seed(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, headers=staff_headers()) as api:
        for title, body in (
            ("Как написать заявку на грант", "Пошаговая **методичка** для НКО."),
            ("Ёлки и гранты", "Зимний конкурс для детских объединений."),
            ("Новости города", "Встреча в библиотеке."),
        ):
            post = (
                await api.post(
                    "/api/v1/posts",
                    json={
                        "title": title,
                        "body": body,
                        "category": "methodology",
                        "tags": ["заявка"],
                    },
                )
            ).json()
            await api.post(f"/api/v1/posts/{post['id']}/publish")
        await api.post(
            "/api/v1/competitions",
            json={
                "name": "Конкурс Фонда президентских грантов",
                "operator": "Фонд президентских грантов",
                "closes_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
                "max_amount": 3000000,
            },
        )


async def no_sideways_scrolling(page) -> None:
    # the harness may measure even though the page's own scripts are off
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"{page.url} scrolls sideways on a phone ({scroll_width}px)"


@pytest.mark.timeout(180)
async def test_reader_journey_in_chromium(site):
    async with launched() as browser:
        context = await browser.new_context(
            java_script_enabled=False, viewport={"width": 375, "height": 740}, locale="ru-RU"
        )
        page = await context.new_page()
        await page.goto(site + "/")
        assert await page.title() == "Проект +"
        assert await page.get_by_text("Конкурс Фонда президентских грантов").is_visible()
        box = await page.locator("main").bounding_box()
        assert box is not None and box["width"] <= 375, "readable on a phone"
        await no_sideways_scrolling(page)

        await page.get_by_role("link", name="Как написать заявку на грант").click()
        await page.wait_for_url("**/posts/kak-napisat-zaiavku-na-grant")
        assert await page.locator("h1").inner_text() == "Как написать заявку на грант"
        assert await page.locator(".post-body strong").inner_text() == "методичка"
        await no_sideways_scrolling(page)
        canonical = page.locator('link[rel="canonical"]')
        assert (await canonical.get_attribute("href")).endswith(
            "/posts/kak-napisat-zaiavku-na-grant"
        )

        await page.get_by_role("searchbox", name="Поиск").fill("ЕЛКИ")
        await page.get_by_role("button", name="Найти").first.click()
        await page.wait_for_url("**/search?q=*")
        results = page.locator("article.card h2")
        assert await results.all_inner_texts() == ["Ёлки и гранты"]

        await page.get_by_role("link", name="Календарь грантов").first.click()
        await page.wait_for_url("**/grants")
        assert await page.locator("h1").inner_text() == "Календарь грантов"
        await no_sideways_scrolling(page)
        assert await page.get_by_text("до 3\u00a0000\u00a0000\u00a0₽").first.is_visible()
        await context.close()
