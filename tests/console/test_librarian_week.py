"""A librarian's week through the console only, in headless Chromium (Debian's
``chromium``), with the four services and the console running as processes.

The admin (made by ``nkohub console create-admin``) creates a staff account; the
librarian signs in, copies the last meetup to a new date a few minutes ahead and publishes
it; four people register through the public page; the librarian approves a question,
checks in three people by their code and one found by name, adds a walk-in, completes
the meetup once it has started, reviews and publishes the report post the platform
drafted, and opens the year's report, whose figures match what happened.

Screenshots of the main pages: ``tests/console/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from nkohub_events.domain.registrations import short_code
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import SmtpRecorder
from tests.support.platform import Platform

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
SAMARA = ZoneInfo("Europe/Samara")
ADMIN = ("Анна Админова", "admin@library.ru", "админ-пароль-2030")
LIBRARIAN = ("Ольга Библиотекарь", "olga@library.ru", "читальный-зал-2030")
PEOPLE = [
    ("Мария Иванова", "maria@ngo-one.ru", "АНО «Ёлочка»"),
    ("Пётр Смирнов", "petr@ngo-two.ru", "Фонд «Кедр»"),
    ("Ирина Козлова", "irina@ngo-three.ru", "ОО «Шахматы Глазова»"),
    ("Сергей Волков", "sergey@ngo-four.ru", "АНО «Краевед»"),
]
CANCEL_LINK = re.compile(r"/registrations/([0-9a-f]+)/cancel\?token=([\w\-.]+)")


@pytest.fixture
def platform(sandbox, tmp_path):
    smtp = SmtpRecorder().start()
    running = Platform(sandbox, tmp_path, smtp, with_console=True)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        smtp.stop()


def create_admin(platform: Platform) -> None:
    env = {**platform.processes["console"].env, "NKOHUB_CONSOLE_ADMIN_PASSWORD": ADMIN[2]}
    command = [sys.executable, "-m", "nkohub_shared.cli", "console", "create-admin"]
    done = subprocess.run(
        [*command, "--name", ADMIN[0], "--email", ADMIN[1]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "создан администратор admin@library.ru" in done.stdout


async def seed_last_meetup(events_url: str) -> dict:
    """The season's last meetup, recorded after it took place (a script's setup)."""
    started = datetime.now(UTC) - timedelta(days=2)
    body = {
        "title": "Открытое общение: итоги",
        "starts_at": started.isoformat(),
        "ends_at": (started + timedelta(hours=2)).isoformat(),
        "venue": {"name": "ПНБ им. В.Г. Короленко", "hall_capacity": 65},
        "capacity": 60,
        "program": [
            {"kind": "talk", "title": "Гранты года", "starts_at": started.isoformat()},
            {"kind": "qa_session", "title": "Вопросы главе города"},
        ],
    }
    async with httpx.AsyncClient(base_url=events_url, headers=staff_headers()) as client:
        created = await client.post("/api/v1/meetups", json=body)
        assert created.status_code == 201, created.text
        meetup = created.json()
        done = await client.post(f"/api/v1/meetups/{meetup['meetup_id']}/complete")
        assert done.status_code == 200, done.text
    return meetup


async def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sign_in(page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("#f-email", email)
    await page.fill("#f-password", password)
    await page.click("button[type=submit]")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
async def test_a_librarians_week_through_the_console(platform):
    from playwright.async_api import async_playwright

    console = platform.console_url  # …/console: every page is under it
    events_url = platform.url("events")
    create_admin(platform)
    seed = await seed_last_meetup(events_url)
    smtp = platform.smtp

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ}
        )
        try:
            # -- the admin creates a staff account
            admin = await browser.new_page()
            await sign_in(admin, console, ADMIN[1], ADMIN[2])
            await admin.click("a[href='/console/admin/accounts']")
            await admin.fill("#f-name", LIBRARIAN[0])
            await admin.fill("#f-email", LIBRARIAN[1])
            await admin.fill("#f-password", LIBRARIAN[2])
            await admin.click("form[action='/console/admin/accounts'] button[type=submit]")
            assert "Создано." in await admin.inner_text("main")
            assert LIBRARIAN[1] in await admin.inner_text("table")
            await shot(admin, "01-accounts")
            await admin.close()

            # -- the librarian signs in and copies the last meetup to a new date
            page = await (
                await browser.new_context(viewport={"width": 1280, "height": 900})
            ).new_page()
            await sign_in(page, console, LIBRARIAN[1], LIBRARIAN[2])
            assert "Сегодня" in await page.inner_text("h1")
            await shot(page, "02-today")
            await page.click("a[href='/console/meetups']")
            await page.click(f"a[href='/console/meetups/{seed['meetup_id']}#copy']")
            starts = (datetime.now(SAMARA) + timedelta(minutes=4)).replace(second=0, microsecond=0)
            await page.fill("#f-copy_date", starts.strftime("%Y-%m-%d"))
            await page.fill("#f-copy_time", starts.strftime("%H:%M"))
            await page.click("form[action$='/copy'] button[type=submit]")
            assert "Создан черновик-копия" in await page.inner_text("main"), await page.inner_text(
                "main"
            )
            meetup_id = page.url.split("/meetups/")[1].split("?")[0]
            assert meetup_id != seed["meetup_id"]
            assert "Вопросы главе города" in await page.inner_text("main")  # the program came along
            await page.click("form[action$='/publish'] button")
            assert "Опубликовано." in await page.inner_text("main")
            await shot(page, "03-meetup")

            # -- people register through the public page
            visitor = await browser.new_page(java_script_enabled=False)
            for name, email, organization in PEOPLE:
                await visitor.goto(f"{events_url}/meetups/{meetup_id}")
                await visitor.fill("#name", name)
                await visitor.fill("#email", email)
                await visitor.select_option("#role", "ngo_representative")
                await visitor.fill("#organization_name", organization)
                await visitor.check("#consent")
                await visitor.click("form[action$='/register'] button[type=submit]")
                assert "Вы зарегистрированы" in await visitor.inner_text("#result")
            await visitor.close()
            await smtp.wait_for(
                lambda ms: all(
                    any(CANCEL_LINK.search(_text(m)) for m in smtp.to(p[1])) for p in PEOPLE
                ),
                timeout=60,
            )
            links = {p[1]: CANCEL_LINK.search(_text(smtp.to(p[1])[0])).groups() for p in PEOPLE}

            # -- one asks a question (with the link from the mail); the librarian approves it
            registration_id, token = links[PEOPLE[0][1]]
            async with httpx.AsyncClient(base_url=events_url) as client:
                asked = await client.post(
                    f"/api/v1/meetups/{meetup_id}/questions",
                    json={
                        "registration_id": registration_id,
                        "token": token,
                        "text": "Будет ли ресурсный центр НКО?",
                    },
                )
                assert asked.status_code == 201, asked.text
            await page.goto(f"{console}/meetups/{meetup_id}/questions")
            assert "ждёт модерации" in await page.inner_text("main")
            await page.click("form[action$='/approve'] button")
            assert "Вопрос обработан." in await page.inner_text("main")
            assert "одобрен" in await page.inner_text("main")

            # -- at the door, on a phone's width
            door = await (
                await browser.new_context(viewport={"width": 390, "height": 844})
            ).new_page()
            await sign_in(door, console, LIBRARIAN[1], LIBRARIAN[2])
            await door.goto(f"{console}/door/{meetup_id}")
            for _, email, _ in PEOPLE[:3]:
                await door.fill("#f-short_code", short_code(links[email][0]).lower())
                await door.click("form[action$='/code'] button")
                assert "отмечен(а)" in await door.inner_text("#checked")
            await door.fill("#f-q", "волков")
            await door.click("form[method=get] button")
            await door.click("#found form button")
            await door.click("#walk-in summary")
            await door.fill("#f-name", "Гость Петров")
            await door.select_option("#f-role", "activist")
            await door.check("input[name=consent]")
            await door.click("form[action$='/walk-in'] button")
            assert "Гость без регистрации добавлен" in await door.inner_text("main")
            assert await door.inner_text("#expected-count") == "0"
            assert await door.inner_text("#came-count") in (
                "4",
                "5",
            )  # + the walk-in when registered
            await shot(door, "04-door-phone")

            # -- the meetup took place: complete it once it has started
            await wait_until(lambda: datetime.now(SAMARA) >= starts, timeout=330, every=1)
            await page.goto(f"{console}/meetups/{meetup_id}")
            await page.click("form[action$='/complete'] button")
            assert "Встреча завершена." in await page.inner_text("main")

            # -- the report post the platform drafted: review and publish
            report_post = f"meetup-{meetup_id}-report"

            async def drafted() -> bool:
                await page.goto(f"{console}/blog?show=review")
                return report_post in await page.content()

            await wait_until(drafted, timeout=60, every=1)
            await page.click(f"a[href='/console/blog/{report_post}']")
            assert "Черновик составлен платформой" in await page.inner_text("main")
            await page.fill(
                "#f-body", "Спасибо всем, кто пришёл! **Пять участников**, вопросы главе."
            )
            await wait_until(lambda: _has_strong(page), timeout=15)  # the live preview
            await shot(page, "05-post-editor")
            await page.click("button[value=publish]")
            assert "Опубликовано." in await page.inner_text("main")

            # -- the year's report matches what happened
            year = starts.year
            seed_same_year = (
                datetime.fromisoformat(seed["starts_at"]).astimezone(SAMARA).year == year
            )

            async def figures() -> dict[str, str]:
                await page.goto(f"{console}/report?from={year}-01-01&to={year}-12-31&compare=1")
                rows = await page.query_selector_all("#results tr[data-key]")
                return {
                    await r.get_attribute("data-key"): await (
                        await r.query_selector("[data-value]")
                    ).inner_text()
                    for r in rows
                }

            async def posts_counted() -> dict[str, str] | None:
                found = await figures()
                return found if found["posts_published"] == "1" else None

            found = await wait_until(posts_counted, timeout=60, every=1)
            assert found["meetups_held"] == str(1 + int(seed_same_year))
            assert found["participants"] == "5"
            assert found["attendances"] == "5"
            assert found["ngos_took_part"] == "4"
            assert await page.locator("svg.chart").count() == 4
            await shot(page, "06-report")
        finally:
            await browser.close()


def _text(message) -> str:
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else str(message)


async def _has_strong(page) -> bool:
    return "<strong>Пять участников</strong>" in await page.inner_html("#preview")
