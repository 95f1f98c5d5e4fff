"""Every page of the staff console in Chromium with axe-core, signed in as a librarian (and
as an administrator for the accounts page), each page with data in it (``console_desk``):
no violation of impact "serious" or "critical", `lang="ru"`, a `<title>` that names the
page («Ошибка: …» after a refused form), no sideways scrolling at 320 px nor at 200 % zoom
(a 640 px window). Refused forms are reached by posting them, as a person does. The
console has no version for the visually impaired (it is not a public page)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.accessibility.axe import blocking, describe, run_axe, scroll_width
from tests.accessibility.conftest import Site
from tests.accessibility.console_desk import ADMIN_EMAIL, COMING, STAFF_EMAIL, Desk, seed_desk
from tests.console.support import PASSWORD
from tests.support.chromium import DESKTOP, console_session, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.timeout(900)]

PHONE = 320  # WCAG 1.4.10
ZOOM_200 = 640  # a 1280 px window at 200 % zoom
MEETUP = "Открытое общение: гранты и налоги"

Action = Callable[[Any, Desk], Awaitable[None]]


@dataclass(frozen=True)
class ConsolePage:
    name: str
    path: Callable[[Desk], str]  # under /console
    title: str  # what the <title> starts with
    action: Action | None = None  # what the person does before the page is checked
    who: str = "staff"  # staff, admin, or nobody (signed out)
    # axe rules known to fail here on purpose (docs/accessibility.md): each must still be
    # reported, so the exception goes when its reason does
    known: frozenset[str] = frozenset()


def post(selector: str, **fields: str) -> Action:
    """Fill ``fields`` (by element id; "check" ticks a box), then press ``selector``; the
    browser's own checks of ``required`` are switched off, so the server answers."""

    async def act(page: Any, _: Desk) -> None:
        await page.evaluate(
            "() => document.querySelectorAll('form').forEach(f => f.noValidate = true)"
        )
        for element_id, value in fields.items():
            target = page.locator(f"#{element_id}")
            if value == "check":
                await target.check()
            else:
                await target.fill(value)
        async with page.expect_navigation():
            await page.click(selector)

    return act


async def open_walk_in(page: Any, desk: Desk) -> None:
    await page.click("#walk-in summary")
    await post("#walk-in button[type=submit]", **{"f-name": "Гость Без Согласия"})(page, desk)


async def edit_template(page: Any, desk: Desk) -> None:
    await follow("main table a")(page, desk)
    await post("button[name=action][value=save]", **{"f-subject": "{{ нет_такой }}"})(page, desk)


async def refuse_segment(page: Any, desk: Desk) -> None:
    """A new mailing without a subject, to a meetup's registrants with nothing chosen."""
    await page.locator("input[name=kind][value=meetup_registrants]").evaluate("e => e.click()")
    await post("button[name=action][value=save]", **{"f-subject": ""})(page, desk)


async def send_without_a_time(page: Any, desk: Desk) -> None:
    # chosen in the DOM: what is checked here is the refused page, not the pointer
    await page.locator("input[name=when][value=at]").evaluate("e => e.click()")
    await post("form[action$='/send'] button[type=submit]", **{"f-send_at": ""})(page, desk)


def mailing(state: str, tail: str = "") -> Callable[[Desk], str]:
    return lambda d: f"/mailings/{d.mailings[state]}{tail}"


def follow(selector: str) -> Action:
    async def act(page: Any, _: Desk) -> None:
        async with page.expect_navigation():
            await page.click(selector)

    return act


def meetup(tail: str = "") -> Callable[[Desk], str]:
    return lambda d: f"/meetups/{d.site.meetup_id}{tail}"


YEAR_AGO = (date.today() - timedelta(days=365)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=31)).isoformat()

PAGES = [
    ConsolePage("сегодня", lambda d: "/", "Сегодня"),
    ConsolePage("встречи", lambda d: "/meetups", "Встречи"),
    ConsolePage("встреча", meetup(), MEETUP),
    ConsolePage("правка встречи", meetup("/edit"), f"Правка: {MEETUP}"),
    ConsolePage(
        "правка встречи: ошибки",
        meetup("/edit"),
        f"Ошибка: Правка: {MEETUP}",
        post("form.card button[type=submit]", **{"f-title": "", "f-capacity": "-3"}),
    ),
    ConsolePage("новая встреча", lambda d: "/meetups/new", "Новая встреча"),
    ConsolePage(
        "новая встреча: ошибки",
        lambda d: "/meetups/new",
        "Ошибка: Новая встреча",
        post("form.card button[type=submit]"),
    ),
    ConsolePage("участники", meetup("/registrations"), f"Участники: {MEETUP}"),
    ConsolePage("вопросы", meetup("/questions"), f"Вопросы: {MEETUP}"),
    ConsolePage("консультации", meetup("/consultations"), f"Консультации: {MEETUP}"),
    ConsolePage("отзывы", lambda d: f"/meetups/{d.site.past_meetup_id}/feedback", "Отзывы: "),
    ConsolePage("у входа: выбор встречи", lambda d: "/door", "У входа"),
    ConsolePage("у входа", lambda d: f"/door/{d.site.meetup_id}", f"У входа: {MEETUP}"),
    ConsolePage(
        "у входа: поиск", lambda d: f"/door/{d.site.meetup_id}?q=Поисков", f"У входа: {MEETUP}"
    ),
    ConsolePage(
        "у входа: отмечен по коду",
        lambda d: f"/door/{d.site.meetup_id}",
        f"У входа: {MEETUP}",
        lambda page, d: post(
            "#code-form button[type=submit]", **{"f-short_code": d.codes[COMING[1]]}
        )(page, d),
    ),
    ConsolePage(
        "у входа: неверный код",
        lambda d: f"/door/{d.site.meetup_id}",
        f"Ошибка: У входа: {MEETUP}",
        post("#code-form button[type=submit]", **{"f-short_code": "ZZZZZZ"}),
    ),
    ConsolePage(
        "у входа: гость без согласия",
        lambda d: f"/door/{d.site.meetup_id}",
        f"Ошибка: У входа: {MEETUP}",
        lambda page, d: open_walk_in(page, d),
    ),
    ConsolePage("НКО", lambda d: "/organizations", "НКО"),
    ConsolePage("НКО: поиск", lambda d: "/organizations?q=Ёлочка", "НКО"),
    ConsolePage("одна НКО", lambda d: f"/organizations/{d.organization_id}", "АНО «Ёлочка»"),
    ConsolePage(
        "одна НКО: ошибки",
        lambda d: f"/organizations/{d.organization_id}",
        "Ошибка: АНО «Ёлочка»",
        post("form.card button[type=submit]", **{"f-full_name": "", "f-public_email": "нет"}),
    ),
    ConsolePage("заявки НКО", lambda d: "/organizations/proposals", "Заявки НКО"),
    ConsolePage("заявка НКО", lambda d: f"/organizations/proposals/{d.proposal_id}", "Заявка: "),
    ConsolePage("импорт", lambda d: "/organizations/import", "Импорт НКО"),
    ConsolePage("потребности", lambda d: "/organizations/needs", "Потребности НКО"),
    ConsolePage("люди и согласия", lambda d: "/organizations/people", "Люди и согласия"),
    ConsolePage("блог", lambda d: "/blog", "Блог «Проект +»"),
    ConsolePage("новая запись", lambda d: "/blog/new", "Новая запись"),
    ConsolePage(
        "новая запись: ошибки",
        lambda d: "/blog/new",
        "Ошибка: Новая запись",
        post("button[name=action][value=save]"),
    ),
    ConsolePage("редактор записи", lambda d: f"/blog/{d.post_id}", "Как написать заявку"),
    ConsolePage("гранты", lambda d: "/blog/grants", "Гранты, фонды, документы"),
    ConsolePage("файлы: изображение и PDF", lambda d: "/files", "Файлы"),
    ConsolePage("конкурс", lambda d: f"/blog/grants/{d.competition_id}", "Конкурс Фонда"),
    ConsolePage("журнал сообщений", lambda d: "/messages", "Сообщения"),
    ConsolePage("сообщение", lambda d: f"/messages/{d.message_id}", "Сообщение"),
    ConsolePage("получатели", lambda d: "/messages/recipients", "Получатели"),
    ConsolePage("получатель", lambda d: f"/messages/recipients/{d.recipient_id}", "Получатель"),
    ConsolePage("шаблоны писем", lambda d: "/messages/templates", "Шаблоны писем"),
    ConsolePage(
        "шаблон письма", lambda d: "/messages/templates", "Шаблон ", follow("main table a")
    ),
    ConsolePage(
        "шаблон письма: ошибка",
        lambda d: "/messages/templates",
        "Ошибка: Шаблон ",
        lambda page, d: edit_template(page, d),
    ),
    ConsolePage("рассылки", lambda d: "/mailings", "Рассылки"),
    ConsolePage("новая рассылка", lambda d: "/mailings/new", "Новая рассылка"),
    ConsolePage(
        "новая рассылка: получатели посчитаны",
        lambda d: "/mailings/new",
        "Новая рассылка",
        post("button[name=action][value=audience]"),
    ),
    ConsolePage(
        "новая рассылка: ошибки",
        lambda d: "/mailings/new",
        "Ошибка: Новая рассылка",
        refuse_segment,
    ),
    ConsolePage("рассылка: черновик", mailing("draft"), "Рассылка: Консультации"),
    ConsolePage("рассылка: правка", mailing("draft", "/edit"), "Рассылка: изменить"),
    ConsolePage(
        "рассылка: проверочное письмо на неверный адрес",
        mailing("draft"),
        "Ошибка: Рассылка: Консультации",
        post("form[action$='/test'] button[type=submit]", **{"f-email": "не адрес"}),
    ),
    ConsolePage(
        "рассылка: отправка без времени",
        mailing("draft"),
        "Ошибка: Рассылка: Консультации",
        send_without_a_time,
    ),
    ConsolePage("рассылка: запланирована", mailing("scheduled"), "Рассылка: Консультации"),
    ConsolePage(
        "рассылка: запланирована, обновляется сама (по просьбе)",
        mailing("scheduled", "?auto=1"),
        "Рассылка: Консультации",
        known=frozenset({"meta-refresh"}),
    ),
    ConsolePage("рассылка: отправлена", mailing("sent"), "Рассылка: Консультации"),
    ConsolePage("оповещения", lambda d: "/messages/alerts", "Оповещения сотрудникам"),
    ConsolePage(
        "оповещения (администратор)",
        lambda d: "/messages/alerts",
        "Оповещения сотрудникам",
        who="admin",
    ),
    ConsolePage(
        "отчёт с графиками",
        lambda d: f"/report?from={YEAR_AGO}&to={NEXT_MONTH}&compare=1",
        "Отчёт о практике",
    ),
    ConsolePage("смена пароля", lambda d: "/account/password", "Смена пароля"),
    ConsolePage(
        "смена пароля: ошибки",
        lambda d: "/account/password",
        "Ошибка: Смена пароля",
        post(
            "main button[type=submit]",
            **{
                "f-current_password": "не тот",
                "f-new_password": "короткий",
                "f-repeat_password": "другой",
            },
        ),
    ),
    ConsolePage("нет такой встречи", lambda d: "/meetups/nope", "Не найдено"),
    ConsolePage(
        "страница администратора", lambda d: "/admin/accounts", "Только для администраторов"
    ),
    ConsolePage("учётные записи", lambda d: "/admin/accounts", "Учётные записи", who="admin"),
    ConsolePage(
        "учётные записи: ошибки",
        lambda d: "/admin/accounts",
        "Ошибка: Учётные записи",
        post(
            "form.card button[type=submit]",
            **{"f-name": "Новый", "f-email": "x", "f-password": "1"},
        ),
        who="admin",
    ),
    ConsolePage("вход", lambda d: "/login", "Вход", who="nobody"),
    ConsolePage(
        "вход: неверный пароль",
        lambda d: "/login",
        "Ошибка: Вход",
        post("main button[type=submit]", **{"f-email": STAFF_EMAIL, "f-password": "не тот"}),
        who="nobody",
    ),
]

# The innermost elements that reach past the screen's right edge (for the failure message).
WIDER_THAN_SCREEN = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
    .slice(0, 5).map(e => e.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
async def desk(site: Site) -> Desk:
    return await seed_desk(site)


@pytest.fixture(scope="module")
async def sessions(browser: Any, desk: Desk) -> AsyncIterator[dict[str, Any]]:
    yield {
        "staff": await console_session(browser, desk.console, STAFF_EMAIL, PASSWORD),
        "admin": await console_session(browser, desk.console, ADMIN_EMAIL, PASSWORD),
        "nobody": None,
    }


async def problems_of(page: Any, check: ConsolePage) -> list[str]:
    problems = []
    found = await run_axe(page)
    violations = [v for v in blocking(found) if v["id"] not in check.known]
    if violations:
        problems.append(describe(violations))
    missing = check.known - {v["id"] for v in found}
    if missing:
        problems.append(f"known failures no longer reported (update the docs): {missing}")
    for known in (v for v in found if v["id"] in check.known):
        print(f"console: {check.name}: known: {describe([known])}")
    # shown with -rP; not failures
    for minor in (v for v in found if v not in violations and v["id"] not in check.known):
        print(f"console: {check.name}: {describe([minor])}")
    facts = await page.evaluate(
        "() => ({lang: document.documentElement.lang, title: document.title})"
    )
    if facts["lang"] != "ru":
        problems.append(f'lang="{facts["lang"]}"')
    if not facts["title"].startswith(check.title):
        problems.append(f"the title «{facts['title']}» does not start with «{check.title}»")
    for width in (PHONE, ZOOM_200):
        wide = await scroll_width(page, width)
        if wide > width:
            culprits = await page.evaluate(WIDER_THAN_SCREEN, width)
            problems.append(f"scrolls sideways at {width} px: {wide} px wide; {culprits}")
    await page.set_viewport_size(DESKTOP)
    return problems


async def check_pages(browser: Any, desk: Desk, sessions: dict[str, Any], pages: list[ConsolePage]):
    failures = []
    for check in pages:
        context = await browser.new_context(
            viewport=DESKTOP, locale="ru-RU", storage_state=sessions[check.who]
        )
        try:
            page = await context.new_page()
            await page.goto(desk.console + "/console" + check.path(desk))
            if check.action is not None:
                await check.action(page, desk)
            problems = await problems_of(page, check)
        finally:
            await context.close()
        if problems:
            failures.append(f"== {check.name} {page.url}")
            failures.extend(problems)
    assert not failures, "\n".join(failures)


async def test_every_console_page(browser, desk, sessions):
    await check_pages(browser, desk, sessions, PAGES)
