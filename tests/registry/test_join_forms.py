"""An NGO's self-registration form with the needs survey, without JavaScript: errors next
to their field in Russian, what happens next, the shared limit per client address; the
proposal (with its survey) reaches staff, and approving it gives the organization its
needs. Also in headless Chromium."""

from __future__ import annotations

import contextlib
import re

import pytest

from nkohub_registry.app import create_app
from nkohub_registry.settings import RegistrySettings
from tests.registry.conftest import STAFF, identifiers
from tests.support.chromium import launched, needs_chromium
from tests.support.inprocess import serving
from tests.support.processes import free_port

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-sync"]


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def _form(**overrides) -> dict:
    ogrn, inn = identifiers()
    return {
        "full_name": "Автономная некоммерческая организация «Шахматный клуб»",
        "short_name": "АНО «Шахматный клуб»",
        "legal_form": "ano",
        "ogrn": ogrn,
        "inn": inn,
        "city": "Глазов",
        "activity_areas": ["sport"],
        "public_email": "chess@example.org",
        "needs": ["premises", "grants"],
        "specialists": ["lawyer"],
        "wants_meetups": "yes",
        **overrides,
    }


async def test_the_join_form_refuses_with_russian_errors_by_field(registry):
    page = await registry.get("/organizations/join")
    assert page.status_code == 200 and "<script" not in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]

    bad = await registry.post(
        "/organizations/join",
        data=_form(full_name="", ogrn="1021800000002", public_email="нет", wants_meetups=""),
    )
    assert bad.status_code == 422
    assert _error(bad.text, "full_name") == "Заполните это поле."
    assert _error(bad.text, "ogrn") == "неверная контрольная цифра ОГРН"
    assert _error(bad.text, "public_email").startswith("Проверьте адрес")
    assert _error(bad.text, "wants_meetups").startswith("Ответьте")
    assert 'value="1021800000002"' in bad.text, "what was typed stays"
    proposals = await registry.get("/api/v1/proposals", headers=STAFF)
    assert proposals.json()["total"] == 0


async def test_a_joined_ngo_is_a_proposal_with_its_survey_and_gets_its_needs(registry):
    sent = await registry.post("/organizations/join", data=_form())
    assert sent.status_code == 202
    assert "Заявка принята" in sent.text and "сверят ОГРН" in sent.text
    [proposal] = (await registry.get("/api/v1/proposals", headers=STAFF)).json()["items"]
    assert proposal["short_name"] == "АНО «Шахматный клуб»"
    assert proposal["needs"]["needs"] == ["premises", "grants"]
    assert proposal["needs"]["wants_meetups"] is True

    approved = await registry.post(
        f"/api/v1/proposals/{proposal['id']}/approve", json={}, headers=STAFF
    )
    assert approved.status_code == 200, approved.text
    organization_id = approved.json()["organization_id"]
    org = await registry.get(f"/api/v1/organizations/{organization_id}", headers=STAFF)
    assert org.json()["needs"]["specialists"] == ["lawyer"]
    assert org.json()["needs"]["wants_consultations"] is True


async def test_the_join_form_keeps_the_shared_limit_per_client(sandbox):
    from tests.support.inprocess import running

    app = create_app(RegistrySettings(**sandbox.settings("registry")))
    app.state.runtime.context.proposals.limit = type(app.state.runtime.context.proposals.limit)(
        "self-registration-per-client", 1, 3600
    )
    async with running(app) as client:
        assert (await client.post("/organizations/join", data=_form())).status_code == 202
        limited = await client.post("/organizations/join", data=_form())
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Слишком много заявок" in limited.text


@contextlib.asynccontextmanager
async def served(sandbox):
    """The app on a free loopback port (its public URLs that port's) and its base URL."""
    port = free_port()
    app = create_app(RegistrySettings(**sandbox.settings("registry")))
    async with serving(app, port) as base:
        yield app, base


@pytest.mark.browser
@needs_chromium
async def test_an_ngo_joins_in_headless_chromium(sandbox):
    ogrn, _ = identifiers()
    async with served(sandbox) as (app, base):
        async with launched() as browser:
            page = await browser.new_page(java_script_enabled=False)
            await page.goto(f"{base}/organizations/join")
            await page.fill("#full_name", "Местная общественная организация «Краеведы»")
            await page.select_option("#legal_form", "public_organization")
            await page.fill("#ogrn", "123")
            await page.check("#wants_yes")
            await page.click("#submit")
            assert "13 цифр" in await page.inner_text("#ogrn-error")
            await page.fill("#ogrn", ogrn)
            await page.check("input[name=needs][value=legal]")
            await page.click("#submit")
            assert "Краеведы" in await page.inner_text("#result")
        proposals = [p async for p in app.state.runtime.db["proposals"].find()]
        assert len(proposals) == 1 and proposals[0]["needs"]["needs"] == ["legal"]
