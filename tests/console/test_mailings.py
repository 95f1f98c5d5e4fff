"""The console's mailing pages («Рассылки») in-process against the real notifications
and registry apps on the real servers, with a real SMTP sink: a new mailing with the
segment's size before sending, refusals next to their fields, the preview in a sandboxed
frame, a test to the staff member's own address, a schedule at a Samara time shown back
in Russian and cancelled, a send now whose progress page (refreshing itself while it
goes, when asked to) ends with every message sent. No JavaScript anywhere: plain forms with CSRF."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from nkohub_notifications.app import create_app as create_notifications
from nkohub_notifications.settings import NotificationsSettings
from nkohub_registry.app import create_app as create_registry
from nkohub_registry.settings import RegistrySettings
from tests.console.support import (
    browser,
    console_settings,
    make_account,
    post_form,
    running_console,
    sign_in,
)
from tests.notifications.conftest import FAST
from tests.registry.conftest import STAFF, org_payload
from tests.support.broker import wait_until
from tests.support.notifications_smtp import SmtpRecorder, address

STAFF_EMAIL = "librarian@library.example"
NEW = "/console/mailings/new"


@contextlib.asynccontextmanager
async def platform(sandbox, smtp: SmtpRecorder) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """Registry and notifications (SMTP to the sink) and the console, in this process;
    events and publishing are away (the meetup chooser falls back to an id field)."""
    notifications = create_notifications(
        NotificationsSettings(**sandbox.settings("notifications", **FAST, **smtp.settings()))
    )
    registry = create_registry(RegistrySettings(**sandbox.settings("registry")))
    urls = {"notifications": "http://notifications.test", "registry": "http://registry.test"}
    started = []
    try:
        for app in (registry, notifications):
            await app.state.runtime.start()
            started.append(app)
        async with running_console(console_settings(sandbox, urls)) as console:
            ctx = console.state.runtime.context
            await ctx.http.aclose()
            mounts = {
                "http://notifications.test": httpx.ASGITransport(app=notifications),
                "http://registry.test": httpx.ASGITransport(app=registry),
            }
            object.__setattr__(ctx, "http", httpx.AsyncClient(mounts=mounts, timeout=30))
            registry_client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=registry), base_url="http://registry.test"
            )
            async with registry_client:
                yield console, registry_client
    finally:
        for app in reversed(started):
            await app.state.runtime.stop()


def _audience(page: str) -> int:
    found = re.search(r"Получат письмо: (\d+)\.", page)
    assert found, page[:2000]
    return int(found.group(1))


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<div class="field-error" id="e-{name}">(.*?)</div>', page)
    text = (
        re.sub(r'<span class="sign" aria-hidden="true">!</span>', "", found.group(1))
        if found
        else ""
    )
    return text.strip()


def _progress(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-status="(\w+)">(\d+)<', page)}


MAILING = {
    "subject": "Консультация по отчётности НКО",
    "body": "Уважаемые коллеги!\n\nПриглашаем на **консультацию** <script>x</script>.",
    "kind": "organizations",
    "action": "save",
}


async def test_a_librarian_writes_tests_schedules_cancels_and_sends_a_mailing(sandbox):
    smtp = SmtpRecorder().start()
    try:
        async with platform(sandbox, smtp) as (console, registry):
            await make_account(console, "Ольга Библиотекарь", STAFF_EMAIL)
            for n, email in enumerate(("info@first.example", "info@second.example")):
                body = org_payload(public_email=email, short_name=f"АНО «{n}»")
                created = await registry.post("/api/v1/organizations", json=body, headers=STAFF)
                assert created.status_code == 201, created.text
            asked = await registry.post("/people/erase", data={"email": "who@example.ru"})
            assert asked.status_code == 202
            async with browser(console) as b:
                await sign_in(b, STAFF_EMAIL)
                people = await b.get("/console/organizations/people")
                assert (
                    "Запросы на удаление данных с сайта: 1 — письмо со ссылкой отправлено: 0, "
                    "данные удалены по ссылке: 0, адреса нет в реестре: 1." in people.text
                )
                await _flow(b, smtp)
    finally:
        smtp.stop()


async def _flow(b: httpx.AsyncClient, smtp: SmtpRecorder) -> None:
    form = await b.get(NEW)
    assert form.status_code == 200 and "<script" not in form.text
    assert 'href="/console/mailings" class="here"' in form.text  # the section in the nav
    for kind in ("organizations", "organization_people", "meetup_registrants", "topic", "list"):
        assert f'name="kind" value="{kind}"' in form.text

    # the segment's size before anything exists (the read model fills from the bus)
    async def counted() -> bool:
        page = await post_form(b, NEW, NEW, {**MAILING, "action": "audience"})
        return page.status_code == 200 and _audience(page.text) == 2

    await wait_until(counted, timeout=30)
    page = await post_form(b, NEW, NEW, {**MAILING, "action": "audience"})
    assert "нет адреса почты — 0" in page.text and "отписались — 0" in page.text

    # refusals: next to their fields, with a summary at the top; what was typed stays
    refused = await post_form(b, NEW, NEW, {**MAILING, "subject": "", "kind": "topic"})
    assert refused.status_code == 422
    assert _field_error(refused.text, "kind") == "выберите тему"
    assert 'id="errors"' in refused.text and "Приглашаем на **консультацию**" in refused.text
    empty = await post_form(b, NEW, NEW, {**MAILING, "subject": ""})
    assert empty.status_code == 422 and _field_error(empty.text, "subject")
    forged = await b.post(NEW, data={**MAILING, "csrf": "forged"})
    assert forged.status_code == 403

    # a draft, its page: the audience, a sandboxed preview with the body made safe
    created = await post_form(b, NEW, NEW, MAILING)
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    page = await b.get(path)
    assert page.status_code == 200 and _audience(page.text) == 2
    frame = re.search(r'<iframe [^>]*sandbox="" srcdoc="([^"]*)"', page.text)
    assert frame, "the preview is a sandboxed frame"
    preview = html.unescape(frame.group(1))
    assert "<strong>консультацию</strong>" in preview and "<script>" not in preview
    assert 'http-equiv="refresh"' not in page.text, "a draft does not reload itself"
    alone = await b.get(f"{path}/preview")
    assert alone.status_code == 200 and "<strong>консультацию</strong>" in alone.text

    # a test to the staff member's own address (prefilled)
    assert f'value="{STAFF_EMAIL}"' in page.text
    tested = await post_form(b, path, f"{path}/test", {"email": STAFF_EMAIL})
    assert tested.status_code == 303
    [test] = await smtp.wait_count(1)
    assert address(test) == STAFF_EMAIL and test["Subject"].startswith("[Проверка] ")
    bad = await post_form(b, path, f"{path}/test", {"email": "nobody@"})
    assert bad.status_code == 422 and _field_error(bad.text, "email")

    # scheduled at a Samara wall-clock time, shown back in Russian; then cancelled
    at = (datetime.now(ZoneInfo("Europe/Samara")) + timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    past = await post_form(b, path, f"{path}/send", {"when": "at", "send_at": "2020-01-01T10:00"})
    assert (
        past.status_code == 422
        and _field_error(past.text, "send_at") == "время отправки уже прошло"
    )
    scheduled = await post_form(
        b, path, f"{path}/send", {"when": "at", "send_at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert scheduled.status_code == 303
    page = await b.get(path)
    months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    shown = f"{at.day} {months.split()[at.month - 1]} {at.year}, 10:30"
    assert "запланирована" in page.text and f"отправка {shown}" in page.text
    assert f'value="{at:%Y-%m-%dT%H:%M}"' in page.text
    cancelled = await post_form(b, path, f"{path}/cancel", {})
    assert cancelled.status_code == 303
    page = await b.get(path)
    assert "отменена" in page.text and f"{path}/send" not in page.text
    listing = await b.get("/console/mailings")
    assert MAILING["subject"] in listing.text and "отменена" in listing.text

    # a second one sent now: the progress page reloads itself until all are sent
    created = await post_form(b, NEW, NEW, {**MAILING, "subject": "Итоги года"})
    second = created.headers["location"].split("?")[0]
    sent = await post_form(b, second, f"{second}/send", {"when": "now"})
    assert sent.status_code == 303
    page = await b.get(second + "?auto=1")  # reloading itself only when asked (WCAG 2.2.1)
    assert 'http-equiv="refresh"' in page.text or _progress(page.text).get("sent") == 2
    mails = await smtp.wait_count(3)
    assert sorted(address(m) for m in mails[1:]) == ["info@first.example", "info@second.example"]

    async def finished() -> str | None:
        page = await b.get(second)
        return page.text if "отправлена" in page.text else None

    done = await wait_until(finished, timeout=30)
    assert _progress(done) == {"queued": 0, "sending": 0, "sent": 2, "failed": 0, "suppressed": 0}
    assert 'http-equiv="refresh"' not in done
    assert re.search(r'id="unconfirmed">[^<]*: 0</p>', done)
    listing = await b.get("/console/mailings?status=sent")
    assert "Итоги года" in listing.text and MAILING["subject"] not in listing.text
