"""«Шаблоны писем» and «Оповещения» in the console, in-process with the notifications
service: edit, preview, a refusal next to its part with the line, save, history,
restore, back to the default; alert settings only admins change."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from nkohub_console.domain.accounts import Role
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.settings import NotificationsSettings
from tests.support.isolation import Sandbox

from .support import (
    browser,
    console_settings,
    csrf_of,
    make_account,
    post_form,
    running_console,
    sign_in,
)

PAGE = "/console/messages/templates/reminder"


@contextlib.asynccontextmanager
async def console_and_notifications(sandbox: Sandbox) -> AsyncIterator[Any]:
    service = notifications_app(
        NotificationsSettings(
            **sandbox.settings(
                "notifications",
                public_base_url="http://notifications.test",
                smtp_host="127.0.0.1",
                smtp_port=9,
            )
        )
    )
    await service.state.runtime.start()
    try:
        settings = console_settings(sandbox, {"notifications": "http://notifications.test"})
        async with running_console(settings) as console:
            ctx = console.state.runtime.context
            await ctx.http.aclose()
            mounts = {"http://notifications.test": httpx.ASGITransport(app=service)}
            object.__setattr__(ctx, "http", httpx.AsyncClient(mounts=mounts, timeout=30))
            yield console, service
    finally:
        await service.state.runtime.stop()


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea id="f-{name}" name="{name}"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


async def test_edit_preview_refuse_save_restore_reset(sandbox):
    async with console_and_notifications(sandbox) as (console, service):
        await make_account(console, "Ольга", "olga@example.org")
        async with browser(console) as b:
            await sign_in(b, "olga@example.org")
            listed = await b.get("/console/messages/templates")
            assert listed.status_code == 200 and "reminder" in listed.text
            page = await b.get(PAGE)
            assert page.status_code == 200
            assert "<iframe" in page.text and 'sandbox srcdoc="' in page.text
            assert "<code>cancel_url</code>" in page.text
            original_text = textarea(page.text, "text")
            assert "Напоминаем: {{ before }}" in original_text
            draft = {
                "subject": "Скоро встреча: {{ meetup.title }}",
                "html": textarea(page.text, "html"),
                "text": original_text,
            }

            preview = await post_form(b, PAGE, PAGE, {**draft, "action": "preview"})
            assert preview.status_code == 200
            assert "Скоро встреча: Открытое общение: гранты и отчётность НКО" in preview.text
            assert 'value="Скоро встреча: {{ meetup.title }}"' in preview.text

            broken = {**draft, "text": "Строка\n{{ meetup.title }\n", "action": "save"}
            refused = await post_form(b, PAGE, PAGE, broken)
            assert refused.status_code == 422
            error = re.search(r'<div class="field-error" id="e-text">(.*?)</div>', refused.text)
            assert error and "строка 2" in error.group(1), refused.text[-2000:]
            assert "Строка\n{{ meetup.title }" in textarea(refused.text, "text"), "kept as typed"

            saved = await post_form(b, PAGE, PAGE, {**draft, "action": "save"})
            assert saved.status_code == 303 and saved.headers["location"].endswith("ok=saved")
            ctx = service.state.runtime.context
            assert ctx.notifier.preview("reminder").subject.startswith("Скоро встреча: ")
            page = await b.get(PAGE)
            assert "версия 1" in page.text and "Ольга" in page.text

            reset = await post_form(b, PAGE, f"{PAGE}/reset", {})
            assert reset.status_code == 303
            assert ctx.notifier.preview("reminder").subject.startswith("Напоминание: ")
            page = await b.get(PAGE)
            restore = re.search(
                r'action="(/console/messages/templates/reminder/history/[^"]+/restore)"', page.text
            )
            assert restore, "the saved version can be restored"
            restored = await b.post(restore.group(1), data={"csrf": csrf_of(page.text)})
            assert restored.status_code == 303
            assert ctx.notifier.preview("reminder").subject.startswith("Скоро встреча: ")
            without_csrf = await b.post(f"{PAGE}/reset", data={})
            assert without_csrf.status_code == 403


async def test_alert_settings_page(sandbox):
    async with console_and_notifications(sandbox) as (console, _service):
        await make_account(console, "Ольга", "olga@example.org")
        await make_account(console, "Админ", "admin@example.org", role=Role.ADMIN)
        async with browser(console) as staff:
            await sign_in(staff, "olga@example.org")
            page = await staff.get("/console/messages/alerts")
            assert page.status_code == 200 and "<fieldset disabled>" in page.text
            refused = await staff.post(
                "/console/messages/alerts",
                data={"csrf": csrf_of(page.text), "library_email": "x@example.org"},
            )
            assert refused.status_code == 403
        async with browser(console) as admin:
            await sign_in(admin, "admin@example.org")
            bad = await post_form(
                admin,
                "/console/messages/alerts",
                "/console/messages/alerts",
                {"library_email": "не адрес", "waitlist_threshold": "5"},
            )
            assert bad.status_code == 422 and 'id="e-library_email"' in bad.text
            ok = await post_form(
                admin,
                "/console/messages/alerts",
                "/console/messages/alerts",
                {
                    "library_email": "biblioteka@example.org",
                    "staff_emails": "a@example.org\nb@example.org",
                    "kind-question": "on",
                    "waitlist_threshold": "7",
                },
            )
            assert ok.status_code == 303
            page = await admin.get("/console/messages/alerts")
            assert 'value="biblioteka@example.org"' in page.text and 'value="7"' in page.text
            assert 'name="kind-question" value="on" checked' in page.text
            assert 'name="kind-waitlist" value="on">' in page.text
