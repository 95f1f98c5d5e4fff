"""Every public page in Chromium with axe-core, in the ordinary version and the version for
the visually impaired: no violation of impact "serious" or "critical" (WCAG 2.1 A/AA and
axe's best practices), `lang="ru"`, a title that names the page, the shared stylesheet in
force under the page's CSP, and no sideways scrolling at 320 px nor at 200 % zoom.

Pages that answer a form (a refused and an accepted registration, a confirmed subscription,
an erasure) are reached by submitting the form, as a visitor does."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from nkohub_registry.domain.identifiers import make_ogrn
from nkohub_shared.web.accessibility import Presentation
from tests.accessibility.axe import (
    IMPAIRED,
    ORDINARY,
    SCHEMES,
    blocking,
    describe,
    run_axe,
    scroll_width,
    use_presentation,
)
from tests.accessibility.conftest import Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium missing"),
    pytest.mark.timeout(600),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = 320  # WCAG 1.4.10: content reflows at 320 CSS px
ZOOM_200 = 640  # a 1280 px window at 200 % zoom

Action = Callable[[Any, Presentation], Awaitable[None]]


@dataclass(frozen=True)
class PageCheck:
    name: str
    service: str  # the Site attribute with the service's base URL
    path: Callable[[Site], str]
    title: str  # what the page's <title> starts with
    action: Action | None = None  # what the visitor does on the page before it is checked
    public: bool = True  # a public page: the version's switch and the shared stylesheet


async def submit(page: Any, _: Presentation) -> None:
    """The page's button; in the second version the deed is done and the page says so."""
    button = page.locator("main button[type=submit]")
    if await button.count():
        async with page.expect_navigation():
            await button.first.click()


def register(consent: bool) -> Action:
    async def fill(page: Any, presentation: Presentation) -> None:
        who = presentation.cookie.replace(".", "-")
        await page.fill("#name", "Ольга Петрова")
        await page.fill("#email", f"olga-{who}-{consent}@example.org")
        if consent:
            await page.check("#consent")
        async with page.expect_navigation():
            await page.click("form[action$='/register'] button[type=submit]")

    return fill


def click(selector: str, **fields: str | Callable[[str], str]) -> Action:
    """Fill ``fields`` (by element id; "check" ticks a box; ``{who}`` or a function of it
    makes a value the version's own), then press ``selector``."""

    async def act(page: Any, presentation: Presentation) -> None:
        who = presentation.cookie.replace(".", "-")
        for element_id, given in fields.items():
            value = given(who) if callable(given) else given.replace("{who}", who)
            target = page.locator(f"#{element_id}")
            if value == "check":
                await target.check()
            elif await target.evaluate("e => e.tagName") == "SELECT":
                await target.select_option(value)
            else:
                await target.fill(value)
        async with page.expect_navigation():
            await page.click(selector)

    return act


def book_without_consent() -> Action:
    async def fill(page: Any, _: Presentation) -> None:
        await page.fill("#b_name", "Ирина")
        await page.fill("#b_email", "irina2@example.org")
        async with page.expect_navigation():
            await page.click("form[action$='/consultations'] button[type=submit]")

    return fill


EVENTS = [
    PageCheck("ближайшие встречи", "events", lambda s: "/meetups", "Ближайшие встречи"),
    PageCheck(
        "встреча с формами",
        "events",
        lambda s: f"/meetups/{s.meetup_id}",
        "Открытое общение: гранты и налоги",
    ),
    PageCheck(
        "регистрация без согласия: ошибка",
        "events",
        lambda s: f"/meetups/{s.meetup_id}",
        "Ошибка: Открытое общение: гранты и налоги",
        register(consent=False),
    ),
    PageCheck(
        "запись на консультацию без согласия: ошибка",
        "events",
        lambda s: f"/meetups/{s.meetup_id}",
        "Ошибка: Открытое общение: гранты и налоги",
        book_without_consent(),
    ),
    PageCheck(
        "регистрация принята",
        "events",
        lambda s: f"/meetups/{s.meetup_id}",
        "Регистрация",
        register(consent=True),
    ),
    PageCheck(
        "отмена регистрации",
        "events",
        lambda s: s.links["registration_cancel"],
        "Отмена регистрации",
    ),
    PageCheck(
        "отмена консультации",
        "events",
        lambda s: s.links["consultation_cancel"],
        "Отмена консультации",
    ),
    PageCheck("форма вопроса", "events", lambda s: s.links["ask"], "Открытое общение: гранты"),
    PageCheck(
        "вопрос без текста: ошибка",
        "events",
        lambda s: s.links["ask"],
        "Ошибка: Открытое общение: гранты",
        click("#ask"),
    ),
    PageCheck(
        "вопрос отправлен",
        "events",
        lambda s: s.links["ask"],
        "Открытое общение: гранты",
        click("#ask", q_text="Будет ли конкурс для молодёжных НКО? ({who})"),
    ),
    PageCheck("отзыв о встрече", "events", lambda s: s.links["feedback"], "Отзыв о встрече"),
    PageCheck(
        "недействительная ссылка",
        "events",
        lambda s: "/registrations/nope/cancel?token=forged",
        "Ссылка недействительна",
    ),
    PageCheck(
        "регистрация отменена",
        "events",
        lambda s: s.links["registration_cancel"],
        "Отмена регистрации",
        submit,
    ),
]

PUBLISHING = [
    PageCheck("главная блога", "publishing", lambda s: "/", "Проект +"),
    PageCheck("запись", "publishing", lambda s: f"/posts/{s.post_slug}", "Как написать заявку"),
    PageCheck("календарь грантов", "publishing", lambda s: "/grants", "Календарь грантов"),
    PageCheck("НКО Глазова", "publishing", lambda s: "/ngo", "НКО Глазова"),
    PageCheck("рубрика", "publishing", lambda s: "/category/methodology", "Методические"),
    PageCheck("метка", "publishing", lambda s: "/tag/заявка", "Метка «заявка»"),
    PageCheck("поиск", "publishing", lambda s: "/search?q=грант", "Поиск"),
    PageCheck("фонды", "publishing", lambda s: "/foundations", "Фонды-грантодатели"),
    PageCheck("документы", "publishing", lambda s: "/documents", "Официальные документы"),
    PageCheck("нет такой страницы", "publishing", lambda s: "/posts/nope", "Запись не найдена"),
]

NOTIFICATIONS = [
    PageCheck("форма подписки", "notifications", lambda s: "/subscribe", "Подписка на рассылку"),
    PageCheck(
        "подписка: ошибки",
        "notifications",
        lambda s: "/subscribe",
        "Ошибка: Подписка на рассылку",
        click("form[action='/subscribe'] button[type=submit]"),
    ),
    PageCheck(
        "подписка: проверьте почту",
        "notifications",
        lambda s: "/subscribe",
        "Проверьте почту",
        click(
            "form[action='/subscribe'] button[type=submit]",
            name="Ольга",
            email="olga-{who}@example.org",
            consent="check",
        ),
    ),
    PageCheck(
        "настройки рассылки",
        "notifications",
        lambda s: s.links["preferences"],
        "Настройки рассылки",
    ),
    PageCheck(
        "настройки сохранены",
        "notifications",
        lambda s: s.links["preferences"],
        "Настройки рассылки",
        click("#save"),
    ),
    PageCheck(
        "подтверждение подписки",
        "notifications",
        lambda s: s.links["confirm_subscription"],
        "Подтверждение подписки",
    ),
    PageCheck("отписка", "notifications", lambda s: s.links["unsubscribe"], "Отписка от рассылки"),
    PageCheck(
        "недействительная ссылка",
        "notifications",
        lambda s: "/unsubscribe/nope?token=forged",
        "Ссылка недействительна",
    ),
    PageCheck(
        "подписка подтверждена",
        "notifications",
        lambda s: s.links["confirm_subscription"],
        "Подписка",
        submit,
    ),
    PageCheck("отписка выполнена", "notifications", lambda s: s.links["unsubscribe"], "Вы", submit),
]

REGISTRY = [
    PageCheck("заявка НКО", "registry", lambda s: "/organizations/join", "Добавить НКО в реестр"),
    PageCheck(
        "заявка НКО: ошибки",
        "registry",
        lambda s: "/organizations/join",
        "Ошибка: Добавить НКО в реестр",
        click("#submit"),
    ),
    PageCheck(
        "заявка НКО принята",
        "registry",
        lambda s: "/organizations/join",
        "Заявка принята",
        click(
            "#submit",
            full_name="Автономная некоммерческая организация «Шахматы {who}»",
            legal_form="ano",
            ogrn=lambda who: make_ogrn(f"1211800{abs(hash(who)) % 100000:05d}"),
            public_email="chess@example.org",
            wants_yes="check",
        ),
    ),
    PageCheck(
        "удаление персональных данных",
        "registry",
        lambda s: s.links["erasure"],
        "Удаление персональных данных",
    ),
    PageCheck(
        "недействительная ссылка",
        "registry",
        lambda s: "/people/nope/erase?expires=1&token=forged",
        "Ссылка недействительна",
    ),
    PageCheck("данные удалены", "registry", lambda s: s.links["erasure"], "Данные удалены", submit),
    PageCheck(
        "запрос на удаление данных",
        "registry",
        lambda s: "/people/erase",
        "Удаление персональных данных",
    ),
    PageCheck(
        "запрос на удаление: пустой адрес",
        "registry",
        lambda s: "/people/erase",
        "Ошибка: Удаление персональных данных",
        click("#submit"),
    ),
    PageCheck(
        "запрос на удаление: неверный адрес",
        "registry",
        lambda s: "/people/erase",
        "Ошибка: Удаление персональных данных",
        click("#submit", email="не адрес {who}"),
    ),
    PageCheck(
        "запрос на удаление принят",
        "registry",
        lambda s: "/people/erase",
        "Запрос принят",
        click("#submit", email="someone-{who}@example.org"),
    ),
]


# The innermost elements that reach past the screen's right edge (for the failure message).
WIDER_THAN_SCREEN = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
    .slice(0, 5).map(e => e.outerHTML.slice(0, 120))"""


CONSOLE = [
    PageCheck("вход в консоль", "console", lambda s: "/console/login", "Вход", public=False),
    PageCheck(
        "вход: неверный пароль",
        "console",
        lambda s: "/console/login",
        "Ошибка: Вход",
        click(
            "form[action='/console/login'] button[type=submit]",
            **{"f-email": "nobody@example.org", "f-password": "не тот"},
        ),
        public=False,
    ),
]


async def check_page(page: Any, check: PageCheck, presentation: Presentation) -> list[str]:
    """What is wrong with the page in this version ([] when nothing)."""
    problems = []
    found = await run_axe(page)
    violations = blocking(found)
    if violations:
        problems.append(describe(violations))
    for minor in (v for v in found if v not in violations):  # shown with -rP; not failures
        print(f"{check.service}: {check.name} [{presentation.cookie}]: {describe([minor])}")
    facts = await page.evaluate(
        """() => ({
            lang: document.documentElement.lang,
            cls: document.documentElement.className,
            title: document.title,
            styled: (e => e && getComputedStyle(e).position)(document.querySelector('.a11y-skip')),
            switches: document.querySelectorAll('a[href^="/accessibility?"]').length,
        })"""
    )
    if facts["lang"] != "ru":
        problems.append(f'lang="{facts["lang"]}"')
    if not facts["title"].startswith(check.title):
        problems.append(f"the title «{facts['title']}» does not start with «{check.title}»")
    if not check.public:
        pass
    elif facts["styled"] != "absolute":
        problems.append("the shared stylesheet is not in force (blocked by the page's CSP?)")
    if check.public and facts["cls"] != presentation.css_class:
        problems.append(f"<html class='{facts['cls']}'>, expected '{presentation.css_class}'")
    expected_switches = 1 if presentation == ORDINARY else 11  # 3 sizes, 3 schemes, 2, 2, off
    if check.public and facts["switches"] != expected_switches:
        problems.append(f"{facts['switches']} switch links, expected {expected_switches}")
    for width in (PHONE, ZOOM_200):
        wide = await scroll_width(page, width)
        if wide > width:
            culprits = await page.evaluate(WIDER_THAN_SCREEN, width)
            problems.append(
                f"scrolls sideways at {width} px: the page is {wide} px wide; {culprits}"
            )
    await page.set_viewport_size(DESKTOP)
    return problems


async def check_all(
    browser: Any, site: Site, checks: list[PageCheck], presentations: list[Presentation]
) -> None:
    failures = []
    for check in checks:
        for presentation in presentations:
            base = getattr(site, check.service)
            # the pages have no script of their own; axe needs the page's timers running
            context = await browser.new_context(viewport=DESKTOP, locale="ru-RU")
            try:
                await use_presentation(context, base, presentation)
                page = await context.new_page()
                await page.goto(base + check.path(site))
                if check.action is not None:
                    await check.action(page, presentation)
                problems = await check_page(page, check, presentation)
            finally:
                await context.close()
            if problems:
                version = presentation.css_class or "обычная версия"
                failures.append(f"== {check.service}: {check.name} [{version}] {page.url}")
                failures.extend(problems)
    assert not failures, "\n".join(failures)


VERSIONS = [ORDINARY, IMPAIRED]


async def test_events_pages(browser, site):
    await check_all(browser, site, EVENTS, VERSIONS)


async def test_publishing_pages(browser, site):
    await check_all(browser, site, PUBLISHING, VERSIONS)


async def test_notifications_pages(browser, site):
    await check_all(browser, site, NOTIFICATIONS, VERSIONS)


async def test_registry_pages(browser, site):
    await check_all(browser, site, REGISTRY, VERSIONS)


async def test_console_login(browser, site):
    """Staff pages have no visually impaired version (the console is not public)."""
    await check_all(browser, site, CONSOLE, [ORDINARY])


async def test_other_schemes_sizes_spacing_and_images_off(browser, site):
    """The other settings of the version on pages with every kind of content."""
    pages = [EVENTS[1], EVENTS[2], PUBLISHING[0], PUBLISHING[1], PUBLISHING[2]]
    await check_all(browser, site, pages, list(SCHEMES.values()))


async def test_the_check_fails_on_a_page_that_breaks_the_rules(browser):
    """The harness itself: axe, injected as the checks inject it, reports what it must."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(
            '<html><head><title>x</title></head><body><main><input name="q">'
            '<p style="color:#bbb;background:#fff">бледный текст</p>'
            '<img src="/x.png"></main></body></html>'
        )
        found = {v["id"]: v["impact"] for v in blocking(await run_axe(page))}
    finally:
        await context.close()
    assert found == {
        "html-has-lang": "serious",
        "label": "critical",
        "color-contrast": "serious",
        "image-alt": "critical",
    }


async def test_images_off_show_their_descriptions(browser, site):
    """The same post: its image in the ordinary version, its description with images off."""
    alt = "Схема проекта: цель, задачи, мероприятия, результаты"
    shown = {}
    for presentation in (ORDINARY, Presentation(on=True, images=False)):
        context = await browser.new_context()
        try:
            await use_presentation(context, site.publishing, presentation)
            page = await context.new_page()
            await page.goto(f"{site.publishing}/posts/{site.post_slug}")
            shown[presentation.on] = (
                await page.locator(".post-body img").count(),
                await page.locator(f'.post-body img[alt="{alt}"]').count(),
                [t.strip() for t in await page.locator(".a11y-alt").all_inner_texts()],
                await page.locator(".post-body table").count(),
            )
        finally:
            await context.close()
    assert shown[False] == (1, 1, [], 1)
    assert shown[True] == (0, 0, [f"Изображение: {alt}"], 1), "presentation only: the table stays"
