"""«Оповещения» in the console offers the «new NGO» alert, and saving the form turns it
on and off in the notifications service."""

from __future__ import annotations

from nkohub_console.domain.accounts import Role

from .support import browser, make_account, post_form, sign_in
from .test_templates_pages import console_and_notifications

PAGE = "/console/messages/alerts"


async def test_the_new_organization_alert_is_on_the_form_and_saved(sandbox):
    async with console_and_notifications(sandbox) as (console, service):
        await make_account(console, "Админ", "admin@example.org", role=Role.ADMIN)
        async with browser(console) as admin:
            await sign_in(admin, "admin@example.org")
            page = await admin.get(PAGE)
            assert "Новая НКО зарегистрировалась сама" in page.text
            assert 'name="kind-new_organization" value="on" checked' in page.text
            saved = await post_form(
                admin,
                PAGE,
                PAGE,
                {
                    "library_email": "biblioteka@example.org",
                    "kind-question": "on",
                    "waitlist_threshold": "5",
                },
            )
            assert saved.status_code == 303
            page = await admin.get(PAGE)
            assert 'name="kind-new_organization" value="on">' in page.text
        settings = await service.state.runtime.context.alerts.settings()
        assert settings.kinds["new_organization"] is False
        assert settings.kinds["question"] is True
