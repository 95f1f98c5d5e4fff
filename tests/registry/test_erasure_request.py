"""The public erasure request form (``/people/erase``) without JavaScript: linked from
the public pages, errors next to the field in Russian, the same answer for any address,
the limits per address and per client with a Russian 429 page. Also in headless Chromium.
(The mail and the erasure it leads to: ``tests/notifications/test_erasure_request.py``.)"""

from __future__ import annotations

import re

import pytest

from tests.registry.conftest import STAFF
from tests.registry.test_erasure import add_person
from tests.registry.test_join_forms import served
from tests.support.chromium import launched, needs_chromium

PATH = "/people/erase"
DONE = "Если этот адрес есть у нас, мы отправили на него письмо со ссылкой"


def _error(html: str) -> str:
    found = re.search(r'<p class="error" id="email-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def _alert(html: str) -> str:
    found = re.search(r'<p class="alert" id="form-error"[^>]*>([^<]*)</p>', html)
    return found.group(1) if found else ""


async def test_every_public_page_of_the_registry_links_the_form(registry):
    for path in ("/organizations/join", PATH):
        page = await registry.get(path)
        assert page.status_code == 200
        assert f'<a href="{PATH}">Удалить мои персональные данные</a>' in page.text
    form = await registry.get(PATH)
    assert '<form method="post" action="/people/erase"' in form.text
    assert "<script" not in form.text and form.headers["Cache-Control"] == "no-store"


async def test_a_missing_or_malformed_address_is_refused_next_to_the_field(registry):
    empty = await registry.post(PATH, data={"email": "  "})
    assert empty.status_code == 422 and _error(empty.text) == "Укажите адрес электронной почты."
    bad = await registry.post(PATH, data={"email": "anna@"})
    assert bad.status_code == 422
    assert _error(bad.text) == "Проверьте адрес: он должен выглядеть как name@example.ru."
    assert 'value="anna@"' in bad.text and 'aria-invalid="true"' in bad.text
    db = registry.client_db()
    assert await db.erasure_requests.count_documents({}) == 0


async def test_known_and_unknown_addresses_get_the_same_page(registry):
    await add_person(registry, email="known.person@example.ru")
    known = await registry.post(PATH, data={"email": "known.person@example.ru"})
    unknown = await registry.post(PATH, data={"email": "stranger@example.ru"})
    assert known.status_code == unknown.status_code == 202
    assert known.text == unknown.text and DONE in known.text
    statuses = sorted([d["status"] async for d in registry.client_db().erasure_requests.find({})])
    assert statuses == ["mailed", "unknown"]


async def test_an_address_may_be_asked_for_three_times_a_day(registry):
    for _ in range(3):
        assert (await registry.post(PATH, data={"email": "a@example.ru"})).status_code == 202
    limited = await registry.post(PATH, data={"email": "A@example.ru"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert _alert(limited.text).startswith("По этому адресу уже отправляли запросы сегодня.")
    assert await registry.client_db().erasure_requests.count_documents({}) == 3


async def test_a_client_may_ask_ten_times_an_hour(registry):
    for n in range(10):
        answer = await registry.post(PATH, data={"email": f"p{n}@example.ru"})
        assert answer.status_code == 202
    limited = await registry.post(PATH, data={"email": "p10@example.ru"})
    assert limited.status_code == 429
    assert _alert(limited.text).startswith("Слишком много запросов с вашего адреса.")
    summary = await registry.get("/api/v1/erasure-requests", headers=STAFF)
    assert summary.json()["counts"] == {"mailed": 0, "unknown": 10, "erased": 0}


@pytest.mark.browser
@needs_chromium
async def test_the_erasure_request_in_headless_chromium_without_javascript(sandbox):
    async with served(sandbox) as (app, base):
        async with launched() as browser:
            page = await browser.new_page(java_script_enabled=False)
            await page.goto(f"{base}/organizations/join")
            await page.click("text=Удалить мои персональные данные")
            assert page.url == f"{base}{PATH}"
            await page.fill("#email", "not-an-address")
            await page.click("#submit")
            assert "name@example.ru" in await page.inner_text("#email-error")
            await page.fill("#email", "reader@example.ru")
            await page.click("#submit")
            assert DONE in await page.inner_text("#result")
        stored = [d async for d in app.state.runtime.db["erasure_requests"].find()]
        assert [d["status"] for d in stored] == ["unknown"]
