"""The public pages of notifications without JavaScript: the subscription form (errors
next to their field in Russian, what happens next, the shared rate limits) and the
preference centre reached from a mail's footer — over HTTP and in headless Chromium."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import pytest

from nkohub_notifications.app import create_app
from tests.support.chromium import launched, needs_chromium
from tests.support.inprocess import serving, staff_headers
from tests.support.notifications_smtp import parts
from tests.support.processes import free_port

from .conftest import notifications_settings
from .test_subscribers import add_recipient

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-sync"]


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


async def test_the_subscription_form_explains_errors_next_to_their_field(service, smtp):
    page = await service.client.get("/subscribe?topic=grants")
    assert page.status_code == 200 and "<script" not in page.text
    assert 'value="grants" id="topic-grants" checked' in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]

    refused = await service.client.post(
        "/subscribe", data={"name": "<a href=x>", "email": "not-an-address"}
    )
    assert refused.status_code == 422
    assert _error(refused.text, "name").startswith("Имя пишется без ссылок")
    assert _error(refused.text, "email").startswith("Проверьте адрес")
    assert _error(refused.text, "topics") == "Выберите хотя бы одну тему."
    assert _error(refused.text, "consent").startswith("Без согласия")
    assert 'value="not-an-address"' in refused.text, "what was typed stays in the form"
    assert await service.db.subscribers.count_documents({}) == 0

    done = await service.client.post(
        "/subscribe",
        data={
            "name": "Ольга",
            "email": "olga@example.org",
            "topic": ["grants", "mailings"],
            "consent": "yes",
        },
    )
    assert done.status_code == 202 and "Проверьте почту" in done.text
    assert "olga@example.org" in done.text and "перейдёте по этой ссылке" in done.text
    [mail] = await smtp.wait_count(1)
    assert "Подтвердите подписку" in str(mail["Subject"])
    subscriber = await service.db.subscribers.find_one({"email": "olga@example.org"})
    assert set(subscriber["pending_topics"]) == {"grants", "mailings"}


async def test_the_subscription_form_keeps_the_shared_limit_per_client(sandbox, smtp):
    from tests.support.inprocess import running

    app = create_app(notifications_settings(sandbox, smtp, subscribe_per_client_per_hour=2))
    async with running(app) as client:
        for i in range(2):
            ok = await client.post(
                "/subscribe",
                data={
                    "name": "Гость",
                    "email": f"g{i}@example.org",
                    "topic": "blog",
                    "consent": "yes",
                },
            )
            assert ok.status_code == 202
        limited = await client.post(
            "/subscribe",
            data={"name": "Гость", "email": "g9@example.org", "topic": "blog", "consent": "yes"},
        )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Слишком много запросов" in limited.text


async def test_the_preference_centre_chooses_topics_and_records_consent(service, smtp):
    person = await add_recipient(service, "pref@example.org", {"meetups": {"email": True}})
    link = urlsplit(service.ctx.notifier.links.preferences(person["id"]))
    url = f"{link.path}?{link.query}"
    page = await service.client.get(url)
    assert page.status_code == 200
    assert 'value="meetups" id="topic-meetups" checked' in page.text
    assert 'value="grants" id="topic-grants">' in page.text
    forged = await service.client.get(f"{link.path}?token=forged")
    assert forged.status_code == 404

    saved = await service.client.post(url, data={"action": "save", "topic": ["grants", "blog"]})
    assert saved.status_code == 200 and "Сохранено" in saved.text
    doc = await service.db.subscribers.find_one({"_id": person["id"]})
    assert {t for t, c in doc["topics"].items() if c["email"]} == {"grants", "blog"}
    assert doc["status"] == "confirmed" and doc["consent_source"] == "preference_centre"
    assert doc["consent_log"][-1]["action"] == "topics"
    assert doc["consent_log"][-1]["topics"] == ["blog", "grants"]

    gone = await service.client.post(url, data={"action": "unsubscribe_all"})
    assert "Вы отписаны от всех рассылок" in gone.text
    doc = await service.db.subscribers.find_one({"_id": person["id"]})
    assert doc["status"] == "unsubscribed" and doc["consent_log"][-1]["action"] == "unsubscribed"


@contextlib.asynccontextmanager
async def served(sandbox, smtp):
    """The app on a free loopback port (its public URLs that port's) and its base URL."""
    port = free_port()
    app = create_app(
        notifications_settings(sandbox, smtp, public_base_url=f"http://127.0.0.1:{port}")
    )
    async with serving(app, port) as base:
        yield app, base


@pytest.mark.browser
@needs_chromium
async def test_subscribe_confirm_and_choose_topics_in_headless_chromium(sandbox, smtp):
    async with served(sandbox, smtp) as (app, base):
        async with launched() as browser:
            page = await browser.new_page(java_script_enabled=False)
            await page.goto(f"{base}/subscribe?topic=meetups")
            await page.fill("#name", "Ольга Петрова")
            await page.fill("#email", "olga@example.org")
            await page.click("button[type=submit]")
            assert "Без согласия" in await page.inner_text("#consent-error")
            await page.check("#consent")
            await page.check("#topic-grants")
            await page.click("button[type=submit]")
            assert "olga@example.org" in await page.inner_text("#result")

            [mail] = await smtp.wait_count(1)
            confirm = re.search(r"https?://\S+/confirm\S+", parts(mail)["text/plain"].get_content())
            assert confirm is not None
            await page.goto(confirm.group(0))
            await page.click("button[type=submit]")
            assert "Подписка подтверждена" in await page.content()

            subscriber = await app.state.runtime.db.subscribers.find_one(
                {"email": "olga@example.org"}
            )
            link = app.state.runtime.context.notifier.links.preferences(subscriber["_id"])
            await page.goto(link)
            assert await page.is_checked("#topic-meetups")
            assert await page.is_checked("#topic-grants")
            await page.uncheck("#topic-meetups")
            await page.check("#topic-mailings")
            await page.click("#save")
            assert "Сохранено" in await page.inner_text("#result")
            await page.click("#unsubscribe-all")
            assert "отписаны от всех" in await page.inner_text("#result")
        doc = await app.state.runtime.db.subscribers.find_one({"email": "olga@example.org"})
        actions = [entry["action"] for entry in doc["consent_log"]]
        assert actions == ["confirmed", "topics", "unsubscribed"]
        assert doc["consent_log"][1]["topics"] == ["grants", "mailings"]
        assert doc["status"] == "unsubscribed"


async def test_every_marketing_mail_footer_links_to_the_preference_centre(service, smtp):
    await add_recipient(service, "footer@example.org", {"grants": {"email": True}})
    headers = staff_headers()
    created = await service.client.post(
        "/api/v1/staff/mailings",
        json={
            "subject": "Гранты",
            "body": "Текст",
            "segment": {"kind": "topic", "topic": "grants"},
        },
        headers=headers,
    )
    await service.client.post(
        f"/api/v1/staff/mailings/{created.json()['id']}/send", json={}, headers=headers
    )
    [mail] = await smtp.wait_count(1)
    html = parts(mail)["text/html"].get_content()
    assert "/preferences/" in html and "Настроить подписку" in html
    assert "topic=grants" in str(mail["List-Unsubscribe"])
