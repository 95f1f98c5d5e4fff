"""Keyboard only (Tab, Enter, Space, and typing into fields), JavaScript off, in Chromium:
registering for a meetup (a refusal first: focus lands on the field to fix), booking a
consultation, switching the visually impaired version on and choosing a size, subscribing
to the mailing and confirming it from the e-mail's link. Every element Tab reaches shows
its focus (an outline at least 2 px wide)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.accessibility.conftest import Site
from tests.support.chromium import needs_chromium
from tests.support.keyboard import Keyboard, keyboard_page
from tests.support.notifications_smtp import SmtpRecorder, parts

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.timeout(300)]


async def test_registration_booking_and_the_switch_by_keyboard(browser, site: Site):
    page = await keyboard_page(browser)
    keys = Keyboard(page)
    try:
        await page.goto(site.events + "/meetups")
        first = await keys.tab_to(text="Перейти к основному содержанию")
        assert first["tag"] == "a", "the skip link is the first stop"
        await keys.tab_to(text="Открытое общение: гранты и налоги")
        await keys.press("Enter", navigates=True)
        assert page.url.endswith(f"/meetups/{site.meetup_id}")

        # registration, consent forgotten: the page comes back with focus on the consent
        await keys.tab_to(id="name")
        await keys.type("Ольга Петрова")
        await keys.tab_to(id="email")
        await keys.type("olga.keyboard@example.org")
        await keys.tab_to(text="Зарегистрироваться")
        await keys.press("Enter", navigates=True)
        assert (await page.title()).startswith("Ошибка: ")
        refused = await keys.focused()
        assert refused["id"] == "consent", "focus is on the field to fix"
        assert refused["invalid"] == "true" and refused["describedby"] == "error"
        assert "согласие" in await page.inner_text("#error")
        assert await page.get_attribute("#error", "role") == "alert"
        assert await page.input_value("#email") == "olga.keyboard@example.org", "typed text kept"
        await keys.press("Space")
        assert await page.is_checked("#consent")
        await keys.tab_to(text="Зарегистрироваться")
        await keys.press("Enter", navigates=True)
        assert "Вы зарегистрированы" in await page.inner_text("#result")

        # the version for the visually impaired, from the confirmation page: back to the meetup
        await keys.tab_to(text="Версия для слабовидящих")
        await keys.press("Enter", navigates=True)
        assert page.url.endswith(f"/meetups/{site.meetup_id}"), "back where one was"
        assert await page.get_attribute("html", "class") == "vi vi-size-1 vi-bw"
        await keys.tab_to(text="самый крупный")
        await keys.press("Enter", navigates=True)
        assert await page.get_attribute("html", "class") == "vi vi-size-3 vi-bw"
        assert await page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"

        # a consultation, in that version
        await keys.tab_to(id="slot_id")  # the first free time stays chosen
        await keys.tab_to(id="b_org")
        await keys.type("АНО «Ёлочка»")
        await keys.tab_to(id="b_name")
        await keys.type("Ирина Клавиатурова")
        await keys.tab_to(id="b_email")
        await keys.type("irina.keyboard@example.org")
        await keys.tab_to(id="b_consent")
        await keys.press("Space")
        await keys.tab_to(text="Записаться")
        await keys.press("Enter", navigates=True)
        assert "Вы записаны" in await page.inner_text("#result")

        await keys.tab_to(text="Обычная версия сайта")
        await keys.press("Enter", navigates=True)
        assert page.url.endswith(f"/meetups/{site.meetup_id}")
        assert await page.get_attribute("html", "class") == ""
    finally:
        await page.context.close()
    keys.assert_all_seen()
    regs = [r async for r in site.db("events")["registrations"].find({"name": "Ольга Петрова"})]
    assert [r["status"] for r in regs] == ["confirmed"]
    slot = await site.db("events")["slots"].find_one({"booking.contact.name": "Ирина Клавиатурова"})
    assert slot is not None and slot["booking"]["contact"]["email"] == "irina.keyboard@example.org"


async def test_subscription_by_keyboard(browser, site: Site, smtp: SmtpRecorder):
    page = await keyboard_page(browser)
    keys = Keyboard(page)
    try:
        await page.goto(site.notifications + "/subscribe")
        await keys.tab_to(id="name")
        await keys.type("Вера")
        await keys.tab_to(id="email")
        await keys.type("vera.keyboard@example.org")
        grants = await keys.tab_to(id="topic-grants")
        assert grants["type"] == "checkbox"
        await keys.press("Space")  # the meetups are ticked already; grants too
        await keys.tab_to(id="consent")
        await keys.press("Space")
        await keys.tab_to(text="Подписаться")
        await keys.press("Enter", navigates=True)
        assert "Проверьте почту" in await page.inner_text("h1")

        def mailed(mails: list[Any]) -> list[Any]:
            return [m for m in mails if "vera.keyboard@example.org" in str(m["To"])]

        [mail] = mailed(await smtp.wait_for(lambda mails: mailed(mails)))
        text = parts(mail)["text/plain"].get_content()
        link = re.search(re.escape(site.notifications) + r"(\S+)", text)
        assert link is not None, text
        await page.goto(site.notifications + link.group(1))
        await keys.tab_to(text="Подтвердить подписку")
        await keys.press("Enter", navigates=True)
        assert "Подписка подтверждена" in await page.inner_text("h1")
    finally:
        await page.context.close()
    keys.assert_all_seen()
    subscriber = await site.db("notifications")["subscribers"].find_one(
        {"email": "vera.keyboard@example.org"}
    )
    assert subscriber is not None and subscriber["status"] == "confirmed"


async def test_erasure_request_by_keyboard(browser, site: Site):
    """From the privacy link every public page carries to the request, refused for a
    malformed address (focus on the field, described by its error, the text kept), then
    accepted."""
    page = await keyboard_page(browser)
    keys = Keyboard(page)
    try:
        await page.goto(site.registry + "/organizations/join")
        await keys.tab_to(text="Удалить мои персональные данные")
        await keys.press("Enter", navigates=True)
        assert page.url == site.registry + "/people/erase"
        await keys.tab_to(id="email")
        await keys.type("olga.keyboard@example")
        await keys.tab_to(text="Прислать ссылку")
        await keys.press("Enter", navigates=True)
        assert (await page.title()).startswith("Ошибка: Удаление персональных данных")
        refused = await keys.focused()
        assert refused["id"] == "email", "focus is on the field to fix"
        assert refused["invalid"] == "true" and refused["describedby"] == "email-error"
        assert await page.input_value("#email") == "olga.keyboard@example", "typed text kept"
        assert await page.inner_text("#email-error")
        await keys.press("End")
        await keys.type(".org")
        await keys.tab_to(text="Прислать ссылку")
        await keys.press("Enter", navigates=True)
        assert (await page.title()).startswith("Запрос принят")
        assert await page.get_attribute("#result", "role") == "status"
    finally:
        await page.context.close()
    keys.assert_all_seen()
    stored = [r async for r in site.db("registry")["erasure_requests"].find({})]
    assert [r["status"] for r in stored] == ["unknown"], "one request, for an unknown address"
