"""The mailing form's attachment picker: publishing's PDFs and images as checkboxes; a
chosen file is saved with the draft, named on the mailing's page, and a test send from
the console carries it byte for byte (notifications fetches it from publishing over
HTTP, as between deployed services)."""

from __future__ import annotations

import httpx

from nkohub_notifications.app import create_app as create_notifications
from nkohub_notifications.settings import NotificationsSettings
from tests.console.support import (
    browser,
    console_settings,
    make_account,
    post_form,
    running_console,
    sign_in,
)
from tests.notifications.conftest import FAST
from tests.notifications.test_mailing_attachments import (
    PDF_NAME,
    attachments_of,
    publishing_on_a_port,
    upload,
)
from tests.publishing.files_data import pdf
from tests.support.notifications_smtp import SmtpRecorder

STAFF_EMAIL = "librarian@library.example"
NEW = "/console/mailings/new"


async def test_a_file_picked_in_the_form_goes_with_the_test_send(sandbox):
    smtp = SmtpRecorder().start()
    document = pdf()
    try:
        async with publishing_on_a_port(sandbox) as (publishing_url, publishing):
            file_id = await upload(publishing, document, PDF_NAME)
            notifications = create_notifications(
                NotificationsSettings(
                    **sandbox.settings(
                        "notifications", **FAST, **smtp.settings(), publishing_url=publishing_url
                    )
                )
            )
            await notifications.state.runtime.start()
            try:
                urls = {"notifications": "http://notifications.test", "publishing": publishing_url}
                async with running_console(console_settings(sandbox, urls)) as console:
                    ctx = console.state.runtime.context
                    await ctx.http.aclose()
                    mounts = {"http://notifications.test": httpx.ASGITransport(app=notifications)}
                    object.__setattr__(ctx, "http", httpx.AsyncClient(mounts=mounts, timeout=30))
                    await make_account(console, "Ольга Библиотекарь", STAFF_EMAIL)
                    async with browser(console) as b:
                        await sign_in(b, STAFF_EMAIL)
                        form = await b.get(NEW)
                        assert f'name="attachments" value="{file_id}"' in form.text
                        assert PDF_NAME in form.text
                        created = await post_form(
                            b,
                            NEW,
                            NEW,
                            {
                                "subject": "Памятка",
                                "body": "Во вложении.",
                                "kind": "topic",
                                "topic": "mailings",
                                "attachments": file_id,
                                "action": "save",
                            },
                        )
                        assert created.status_code == 303, created.text[:2000]
                        path = created.headers["location"].split("?")[0]
                        edit = await b.get(f"{path}/edit")
                        assert f'value="{file_id}" checked' in edit.text
                        tested = await post_form(b, path, f"{path}/test", {"email": STAFF_EMAIL})
                        assert tested.status_code == 303, tested.text[:2000]
                        [mail] = await smtp.wait_count(1)
                        assert attachments_of(mail)[PDF_NAME] == ("application/pdf", document)
                        page = await b.get(path)
                        assert f"<strong>Вложения:</strong> {PDF_NAME}" in page.text
            finally:
                await notifications.state.runtime.stop()
    finally:
        smtp.stop()
