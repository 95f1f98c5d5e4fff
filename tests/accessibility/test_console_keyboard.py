"""The door desk by keyboard only (Tab, Shift+Tab, Enter, Space and typing; JavaScript off),
as a librarian with a USB scanner or without a mouse works it: sign in, a wrong door code
(focus stays in the code field, which names its error), the right code (the field is ready
for the next one and described by who was checked in), a search by name (focus on the
results), a check-in from them, a walk-in refused for want of consent (focus on the box)
then added. Every stop shows its focus: an outline of at least 2 px or a box shadow."""

from __future__ import annotations

import pytest

from tests.accessibility.conftest import Site
from tests.accessibility.console_desk import COMING, STAFF_EMAIL, seed_desk
from tests.console.support import PASSWORD
from tests.support.chromium import needs_chromium
from tests.support.keyboard import Keyboard, keyboard_page

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.timeout(300)]


async def test_the_door_desk_by_keyboard(browser, site: Site):
    desk = await seed_desk(site)
    mid = site.meetup_id
    page = await keyboard_page(browser)
    keys = Keyboard(page, shadow_shows_focus=True)
    try:
        # signed out: the door page asks to sign in, and comes back after
        await page.goto(f"{desk.console}/console/door/{mid}")
        assert (await keys.focused())["id"] == "f-email", "the login form starts in its field"
        await keys.type(STAFF_EMAIL)
        await keys.tab_to(id="f-password")
        await keys.type(PASSWORD)
        await keys.press("Enter", navigates=True)
        assert page.url.endswith(f"/console/door/{mid}")
        here = await keys.focused()
        assert here["id"] == "f-short_code", "the door page starts in the code field"

        # a wrong code: refused, focus stays in the field, which is described by its error
        await keys.type("ZZZ222")
        await keys.press("Enter", navigates=True)
        assert (await page.title()).startswith("Ошибка: ")
        refused = await keys.focused()
        assert refused["id"] == "f-short_code" and refused["invalid"] == "true"
        assert refused["describedby"] == "e-short_code"
        assert "не найден" in await page.inner_text("#e-short_code")
        assert await page.get_attribute("#errors", "role") == "alert"
        assert "Код из письма" in await page.inner_text("#errors")

        # the right code: checked in; the field is ready for the next, described by the result
        await keys.erase(len("ZZZ222"))
        await keys.type(desk.codes[COMING[1]])
        await keys.press("Enter", navigates=True)
        assert f"{COMING[1]} (АНО «Ёлочка») — отмечен(а)" in await page.inner_text("#checked")
        ready = await keys.focused()
        assert ready["id"] == "f-short_code" and ready["describedby"] == "checked"
        assert await page.inner_text("#came-count") == "1"

        # by name: the search's results get the focus; Shift+Tab back once on the way
        await keys.tab_to(text="Найти")
        await keys.tab_to(id="f-q", back=True)
        await keys.type("Поисков")
        await keys.press("Enter", navigates=True)
        results = await keys.focused()
        assert results["id"] == "found-title", results
        assert "Найдено по запросу «Поисков»: 1" in results["text"]
        await keys.tab_to(text=f"Отметить: {COMING[2]}")
        await keys.press("Enter", navigates=True)
        assert "Отмечен(а)." in await page.inner_text("#done")
        back = await keys.focused()
        assert back["id"] == "f-short_code" and back["describedby"] == "done"
        assert await page.inner_text("#came-count") == "2"

        # a walk-in, consent forgotten: focus on the box, which names its error
        summary = await keys.tab_to(text="Гость без регистрации")
        assert summary["tag"] == "summary"
        await keys.press("Enter")  # opens the form
        await keys.tab_to(id="f-name")
        await keys.type("Гость Клавиатурный")
        await keys.tab_to(id="f-organization")
        await keys.type("АНО «Краеведы»")
        await keys.tab_to(text="Добавить и отметить")
        await keys.press("Enter", navigates=True)
        assert (await page.title()).startswith("Ошибка: ")
        consent = await keys.focused()
        assert consent["id"] == "f-consent" and consent["type"] == "checkbox"
        assert consent["invalid"] == "true" and consent["describedby"] == "e-consent"
        assert "согласия" in await page.inner_text("#e-consent")
        assert await page.input_value("#f-name") == "Гость Клавиатурный", "typed text kept"
        await keys.press("Space")
        assert await page.is_checked("#f-consent")
        await keys.tab_to(text="Добавить и отметить")
        await keys.press("Enter", navigates=True)
        assert "Гость без регистрации добавлен и отмечен." in await page.inner_text("#done")
        assert "Гость Клавиатурный" in await page.inner_text("#came")
        assert (await keys.focused())["id"] == "f-short_code"
    finally:
        await page.context.close()
    keys.assert_all_seen()
    came = await site.db("events")["registrations"].count_documents(
        {"meetup_id": mid, "checked_in_at": {"$ne": None}}
    )
    assert came == 3
