"""Public pages: server-rendered Russian HTML, no JavaScript needed; the registration form
submitted in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import contextlib

import pytest

from nkohub_events.app import create_app
from nkohub_events.settings import EventsSettings
from tests.events.conftest import (
    STAFF,
    consultation_token,
    feedback_link,
    move_to_past,
    person,
    registration_cancel_link,
    scheduled_meetup,
)
from tests.support.chromium import launched, needs_chromium
from tests.support.inprocess import serving
from tests.support.processes import free_port


async def test_pages_render_escape_and_work_as_plain_forms(events):
    m = await scheduled_meetup(events, title="<script>alert(1)</script> Встреча", capacity=1)
    mid = m["meetup_id"]
    listing = await events.get("/meetups")
    assert listing.status_code == 200 and "Ближайшие встречи" in listing.text
    assert "<script>alert" not in listing.text and "&lt;script&gt;" in listing.text
    page = await events.get(f"/meetups/{mid}")
    assert "152-ФЗ" in page.text and "Свободных мест: <strong>1</strong>" in page.text

    no_consent = await events.post(
        f"/meetups/{mid}/register",
        data={"name": "Анна", "email": "anna@example.org", "role": "activist"},
    )
    assert no_consent.status_code == 422 and "согласие" in no_consent.text
    assert 'value="anna@example.org"' in no_consent.text, "the form keeps what was typed"
    ok = await events.post(
        f"/meetups/{mid}/register",
        data={
            "name": "Анна",
            "email": "anna@example.org",
            "role": "activist",
            "consent_personal_data": "yes",
        },
    )
    assert ok.status_code == 201 and "Вы зарегистрированы" in ok.text
    assert "/cancel" not in ok.text and "token" not in ok.text, "the cancel link is mailed"
    assert "anna@example.org" in ok.text
    anna = await events.app.state.runtime.db["registrations"].find_one(
        {"email": "anna@example.org"}
    )
    cancel_link = registration_cancel_link(anna["_id"])  # as in Anna's mail
    waiting = await events.post(
        f"/meetups/{mid}/register",
        data={
            "name": "Борис",
            "email": "boris@example.org",
            "role": "media",
            "consent_personal_data": "yes",
        },
    )
    assert "лист" in waiting.text and 'id="position">1<' in waiting.text

    shown = await events.get(cancel_link)
    assert shown.status_code == 200 and "Да, отменить" in shown.text
    regs = (await events.get(f"/api/v1/meetups/{mid}/registrations", headers=STAFF)).json()
    assert {r["status"] for r in regs} == {"confirmed", "waitlisted"}, "GET cancels nothing"
    forged = await events.post(cancel_link.split("token=")[0] + "token=forged")
    assert forged.status_code == 403
    done = await events.post(cancel_link)
    assert "Регистрация отменена" in done.text
    regs = (await events.get(f"/api/v1/meetups/{mid}/registrations", headers=STAFF)).json()
    assert {r["email"]: r["status"] for r in regs} == {
        "anna@example.org": "cancelled",
        "boris@example.org": "confirmed",
    }


async def test_feedback_page_from_the_mail_link(events):
    mid = (await scheduled_meetup(events))["meetup_id"]
    reg = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    await move_to_past(events, mid)
    await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    link = feedback_link(mid, reg["registration_id"])  # as in the participant's mail
    page = await events.get(link)
    assert page.status_code == 200 and "Оценка" in page.text
    sent = await events.post(link, data={"rating": "4", "comment": "Полезно"})
    assert "Спасибо за отзыв" in sent.text
    summary = (await events.get(f"/api/v1/meetups/{mid}/feedback", headers=STAFF)).json()
    assert summary["count"] == 1 and summary["average"] == 4.0


@contextlib.asynccontextmanager
async def served(sandbox):
    """The app on a free loopback port (its public URLs that port's) and its base URL."""
    port = free_port()
    app = create_app(
        EventsSettings(**sandbox.settings("events"), public_base_url=f"http://127.0.0.1:{port}")
    )
    async with serving(app, port) as base:
        yield app, base


@pytest.mark.browser
@needs_chromium
async def test_registration_form_submitted_in_headless_chromium(sandbox):
    import httpx

    async with served(sandbox) as (app, base):
        async with httpx.AsyncClient(base_url=base) as client:
            mid = (await scheduled_meetup(client, capacity=10))["meetup_id"]
        async with launched() as browser:
            page = await browser.new_page(java_script_enabled=False)
            await page.goto(f"{base}/meetups")
            await page.click(f"a[href='/meetups/{mid}']")
            assert "Свободных мест" in await page.inner_text("#seats")
            await page.fill("#name", "Ольга Петрова")
            await page.fill("#email", "olga@example.org")
            await page.select_option("#role", "ngo_representative")
            await page.fill("#organization_name", "АНО «Шахматы»")
            await page.click("button[type=submit]")
            assert "согласие" in await page.inner_text("#error")  # consent not ticked
            await page.check("#consent")
            await page.click("button[type=submit]")
            assert "Вы зарегистрированы" in await page.inner_text("#result")
            assert "olga@example.org" in await page.inner_text("#mail")
        regs = [r async for r in app.state.runtime.db["registrations"].find()]
        assert len(regs) == 1 and regs[0]["status"] == "confirmed"
        assert regs[0]["consent_text_version"] == "2026-01"
        assert regs[0]["mailing_consent"] is False, "mailing consent stays unticked by default"


async def test_consultation_booked_and_cancelled_through_the_pages(events):
    m = await scheduled_meetup(events)
    mid = m["meetup_id"]
    spec = await events.post(
        "/api/v1/specialists",
        json={"name": "Налоговый инспектор", "specialty": "tax_inspector", "body": "ИФНС"},
        headers=STAFF,
    )
    slot = await events.post(
        f"/api/v1/meetups/{mid}/consultation-slots",
        json={"specialist_id": spec.json()["specialist_id"], "starts_at": m["starts_at"]},
        headers=STAFF,
    )
    slot_id = slot.json()["slot_id"]
    page = await events.get(f"/meetups/{mid}")
    assert "Записаться на консультацию" in page.text and slot_id in page.text
    form = {
        "slot_id": slot_id,
        "organization_name": "АНО «Шахматы»",
        "contact_name": "Ирина",
        "contact_email": "irina@example.org",
        "question": "Льготы по налогу?",
    }
    refused = await events.post(f"/meetups/{mid}/consultations", data=form)
    assert refused.status_code == 422 and "согласие" in refused.text
    booked = await events.post(
        f"/meetups/{mid}/consultations", data={**form, "consent_personal_data": "yes"}
    )
    assert booked.status_code == 201 and "Вы записаны" in booked.text
    assert "/consultations/" not in booked.text, "the cancel link is mailed only"
    slot_doc = await events.app.state.runtime.db["slots"].find_one({"_id": slot_id})
    cid = slot_doc["booking"]["consultation_id"]
    link = f"/consultations/{cid}/cancel?token={consultation_token(cid)}"
    shown = await events.get(link)
    assert "Да, отменить" in shown.text
    done = await events.post(link)
    assert "Консультация отменена" in done.text
    slots = (await events.get(f"/api/v1/meetups/{mid}/consultation-slots")).json()
    assert slots[0]["booked"] is False
