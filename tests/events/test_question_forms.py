"""The question form on a meetup's page, without JavaScript: open only through the link
of a registration (its signed token), errors next to the field in Russian, what happens
next, moderation before anything is shown; the subscription link to notifications; the
same in headless Chromium."""

from __future__ import annotations

import re

import pytest

from tests.events.conftest import STAFF, person, registration_token, scheduled_meetup
from tests.events.test_pages import served
from tests.support.chromium import launched, needs_chromium


async def _registered(client, i: int = 1) -> tuple[str, str]:
    mid = (await scheduled_meetup(client))["meetup_id"]
    reg = await client.post(f"/api/v1/meetups/{mid}/registrations", json=person(i))
    assert reg.status_code == 201, reg.text
    return mid, reg.json()["registration_id"]


def _error(html: str, element: str) -> str:
    found = re.search(rf'<p class="error" id="{element}">([^<]*)</p>', html)
    return found.group(1) if found else ""


async def test_the_question_form_is_there_only_through_a_participants_link(events):
    mid, rid = await _registered(events)
    plain = await events.get(f"/meetups/{mid}")
    assert plain.status_code == 200 and 'name="text"' not in plain.text
    assert "ссылка на форму вопроса — в письме" in plain.text
    assert 'href="http://localhost:8003/subscribe?topic=meetups"' in plain.text
    forged = await events.get(f"/meetups/{mid}?registration={rid}&token=forged")
    assert 'name="text"' not in forged.text

    token = registration_token(rid)
    page = await events.get(f"/meetups/{mid}?registration={rid}&token={token}")
    assert 'name="text"' in page.text and "Итоги конкурсов — Глава города" in page.text
    action = f"/meetups/{mid}/questions/form?registration={rid}&token={token}"

    short = await events.post(action, data={"text": "а?", "addressed_to": ""})
    assert short.status_code == 422
    assert _error(short.text, "q_text-error") == "Напишите вопрос: от 3 до 2000 знаков."
    assert ">а?</textarea>" in short.text, "what was typed stays"
    bad_item = await events.post(action, data={"text": "Когда отчёт?", "addressed_to": "9"})
    assert bad_item.status_code == 422
    assert _error(bad_item.text, "q_to-error") == "Выберите пункт программы из списка."

    asked = await events.post(
        action, data={"text": "Будут ли гранты для спортивных НКО?", "addressed_to": "1"}
    )
    assert asked.status_code == 201 and "Вопрос отправлен организаторам" in asked.text
    staff = await events.get(f"/api/v1/meetups/{mid}/questions", headers=STAFF)
    [question] = staff.json()
    assert question["status"] == "submitted" and question["addressed_to"] == "Глава города"
    public = await events.get(f"/api/v1/meetups/{mid}/questions")
    assert public.json() == [], "nothing is shown before moderation"

    refused = await events.post(
        f"/meetups/{mid}/questions/form?registration={rid}&token=x", data={"text": "Вопрос?"}
    )
    assert refused.status_code == 403


async def test_the_meetups_list_links_to_the_subscription_form(events):
    await scheduled_meetup(events)
    page = await events.get("/meetups")
    assert 'id="subscribe"' in page.text and "/subscribe?topic=meetups" in page.text


@pytest.mark.browser
@needs_chromium
async def test_a_question_asked_in_headless_chromium(sandbox):
    import httpx

    async with served(sandbox) as (app, base):
        async with httpx.AsyncClient(base_url=base) as client:
            mid, rid = await _registered(client, 7)
        link = f"{base}/meetups/{mid}?registration={rid}&token={registration_token(rid)}#question"
        async with launched() as browser:
            page = await browser.new_page(java_script_enabled=False)
            await page.goto(link)
            await page.fill("#q_text", "x")
            await page.click("#ask")
            assert "от 3 до 2000" in await page.inner_text("#q_text-error")
            await page.fill("#q_text", "Как получить помещение для НКО?")
            await page.select_option("#q_to", "1")
            await page.click("#ask")
            assert "Вопрос отправлен" in await page.inner_text("#question-result")
        questions = [q async for q in app.state.runtime.db["questions"].find()]
        assert [q["text"] for q in questions] == ["Как получить помещение для НКО?"]
