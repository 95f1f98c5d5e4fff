"""Self-registration as an attacker would try it: it is a proposal staff review, it can
neither hold an ОГРН nor overwrite official data, its answer tells nothing, anonymous
callers set only the self-registration fields, and one address cannot flood it."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime

from openpyxl import load_workbook

from nkohub_registry.app import create_app
from nkohub_registry.settings import RegistrySettings
from tests.registry.conftest import STAFF, caught_up, create_org, org_payload
from tests.registry.test_import import TEMPLATE, upload
from tests.support.broker import wait_until
from tests.support.inprocess import running

API = "/api/v1/organizations"
PROPOSALS = "/api/v1/proposals"
ACCEPTED = {
    "status": "awaiting_approval",
    "message": (
        "Заявка принята. Сотрудники библиотеки проверят сведения и внесут организацию "
        "в реестр; при вопросах они свяжутся с вами по указанным контактам."
    ),
}
SQUATTER = {
    "full_name": "АНО «Захватчик»",
    "website": "https://squatter.example",
    "public_email": "boss@squatter.example",
}


async def proposals(client, **params):
    response = await client.get(PROPOSALS, params=params, headers=STAFF)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_an_anonymous_caller_sets_only_self_registration_fields(registry):
    for field, value in (
        ("status", "liquidated"),
        ("leader_person_id", "someone"),
        ("hand_edited", ["full_name"]),
        ("approved", True),
        ("source", "imported"),
        ("support_registry", True),
    ):
        response = await registry.post(API, json=org_payload(**{field: value}))
        assert response.status_code == 422, (field, response.text)
        error = response.json()["error"]
        assert error["field"] == field
        assert "сотрудники библиотеки" in error["message"], error
    response = await registry.post(API, json=org_payload(full_name="x" * 501))
    assert response.status_code == 422 and response.json()["error"]["field"] == "full_name"
    huge = await registry.post(API, json=org_payload(**{f"k{n}": "v" * 100 for n in range(700)}))
    assert huge.status_code == 413 and huge.json()["error"]["field"] == "body"
    broken = await registry.post(
        API, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["error"]["field"] == "body"
    assert await proposals(registry) == []
    assert (await registry.get(API, headers=STAFF)).json()["total"] == 0


async def test_a_self_registration_never_blocks_or_overwrites_official_data(registry, spy):
    payload = org_payload(**SQUATTER)
    first = await registry.post(API, json=payload)  # the squatter comes first
    assert first.status_code == 202 and first.json() == ACCEPTED

    # the real NGO, entered by staff with the same ОГРН and ИНН: not blocked (no 409)
    official = await create_org(
        registry, ogrn=payload["ogrn"], inn=payload["inn"], full_name="АНО «Настоящая»"
    )
    assert official["website"] == "https://elochka-glazov.ru"

    # a second squatter, now that the record exists: the very same answer, no name, no id
    again = await registry.post(API, json=payload)
    assert again.status_code == 202 and again.content == first.content
    assert official["id"] not in again.text and "Настоящая" not in again.text

    # an import of a third ОГРН that a proposal named first creates the official record
    ministry = org_payload(full_name="Фонд «Из реестра Минюста»")
    assert (await registry.post(API, json=ministry)).status_code == 202
    row = f"Фонд «Из реестра Минюста»;;fund;{ministry['ogrn']};;Глазов;;да;active\n"
    assert (await upload(registry, (TEMPLATE + row).encode())).json()["created"] == 1

    pending = await proposals(registry, ogrn=payload["ogrn"])
    assert len(pending) == 2
    twin = {"id": official["id"], "full_name": "АНО «Настоящая»", "matched_on": "ogrn"}
    assert all(p["conflict"] and p["official"] == twin for p in pending)
    assert pending[0]["website"] == "https://squatter.example" and pending[0]["verified"] is False

    # staff approve one, taking only what the record lacks: the website stays the official
    chosen = await registry.post(
        f"{PROPOSALS}/{pending[0]['id']}/approve", json={"fields": ["description"]}, headers=STAFF
    )
    assert chosen.status_code == 200 and chosen.json()["status"] == "approved"
    assert chosen.json()["organization_id"] == official["id"]
    rejected = await registry.post(f"{PROPOSALS}/{pending[1]['id']}/reject", headers=STAFF)
    assert rejected.json()["status"] == "rejected" and rejected.json()["conflict"] is False
    twice = await registry.post(f"{PROPOSALS}/{pending[1]['id']}/approve", headers=STAFF)
    assert twice.status_code == 409 and twice.json()["error"]["field"] == "status"

    stored = (await registry.get(f"{API}/{official['id']}", headers=STAFF)).json()
    assert stored["full_name"] == "АНО «Настоящая»" and stored["status"] == "active"
    assert stored["website"] == "https://elochka-glazov.ru"
    assert stored["public_email"] == "info@elochka-glazov.ru"
    organizations = (await registry.get(API, headers=STAFF)).json()
    assert organizations["total"] == 2, "one record per ОГРН, none of them the squatter's"
    assert "Захватчик" not in str(organizations)
    await caught_up(
        registry,
        spy,
        lambda: create_org(registry, full_name="АНО «Маркер»"),
        lambda e: e["data"].get("organization", {}).get("full_name") == "АНО «Маркер»",
    )
    organization_events = [e for e in spy.events if e["type"].startswith("registry.organization")]
    assert "squatter" not in str(organization_events)
    assert "Захватчик" not in str(organization_events)
    # staff's alert hears of the proposal, without its contacts
    submitted = [e["data"]["full_name"] for e in spy.of_type("registry.proposal.submitted")]
    assert "АНО «Захватчик»" in submitted
    assert "squatter" not in str(spy.of_type("registry.proposal.submitted"))


async def test_an_approved_proposal_fills_gaps_of_its_official_twin_by_default(registry):
    official = await create_org(registry, website=None, description=None)
    proposal = org_payload(
        ogrn=official["ogrn"],
        inn=None,
        full_name="Другое имя",
        website="https://new-site.example",
        description="Кружки",
    )
    assert (await registry.post(API, json=proposal)).status_code == 202
    [pending] = await proposals(registry)
    approved = await registry.post(f"{PROPOSALS}/{pending['id']}/approve", headers=STAFF)
    assert approved.status_code == 200, approved.text
    after = (await registry.get(f"{API}/{official['id']}", headers=STAFF)).json()
    assert after["website"] == "https://new-site.example" and after["description"] == "Кружки"
    assert after["full_name"] == official["full_name"], "a filled field is not overwritten"


async def test_a_proposal_without_twin_is_unseen_until_approved_then_announced(registry, spy):
    response = await registry.post(API, json=org_payload(full_name="Клуб «Шахматист»"))
    assert response.status_code == 202 and response.json() == ACCEPTED
    assert (await registry.get(API, params={"q": "шахматист"})).json()["total"] == 0
    assert (await registry.get(PROPOSALS)).status_code == 401
    [pending] = await proposals(registry)
    assert pending["conflict"] is False and pending["official"] is None
    assert (await registry.get(f"{PROPOSALS}/{pending['id']}", headers=STAFF)).json() == pending

    marker: dict = {}

    async def staff_entry() -> None:
        marker.update(await create_org(registry, full_name="АНО «Маркер»"))

    await caught_up(
        registry,
        spy,
        staff_entry,
        lambda e: e["data"].get("organization", {}).get("full_name") == "АНО «Маркер»",
    )
    announced_so_far = [e for e in spy.events if e["type"].startswith("registry.organization")]
    assert [e["subject"] for e in announced_so_far] == [marker["id"]], "unannounced"
    [submitted] = spy.of_type("registry.proposal.submitted")
    assert submitted["subject"] == pending["id"]
    assert submitted["data"] == {
        "proposal_id": pending["id"],
        "name": "АНО «Ёлочка»",
        "full_name": "Клуб «Шахматист»",
        "city": "Глазов",
        "activity_areas": ["children_family", "culture"],
        "submitted_at": submitted["data"]["submitted_at"],
    }, "no contact person, address or phone"

    approved = await registry.post(f"{PROPOSALS}/{pending['id']}/approve", headers=STAFF)
    assert approved.status_code == 200, approved.text
    organization_id = approved.json()["organization_id"]
    await spy.wait_for(lambda ev: any(e["subject"] == organization_id for e in ev))
    announced = [e for e in spy.events if e["subject"] == organization_id]
    assert [e["type"] for e in announced] == ["registry.organization.registered"]
    assert announced[0]["data"]["source"] == "self_registered"
    found = (await registry.get(API, params={"q": "шахматист"})).json()
    assert [o["id"] for o in found["items"]] == [organization_id]
    assert await proposals(registry) == [], "no longer pending"
    assert len(await proposals(registry, status="approved")) == 1


async def test_self_registration_is_limited_per_client_address(registry):
    if 3600 - time.time() % 3600 < 30:  # the hour's window is about to turn over
        await asyncio.sleep(31)
    for n in range(20):
        response = await registry.post(API, json=org_payload(full_name=f"АНО «Номер {n}»"))
        assert response.status_code == 202, (n, response.text)
    refused = await registry.post(API, json=org_payload())
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Слишком много заявок" in refused.json()["error"]["message"]
    # a forwarded address from a peer that is not a trusted proxy changes nothing
    forged = await registry.post(API, json=org_payload(), headers={"X-Forwarded-For": "10.9.8.7"})
    assert forged.status_code == 429
    assert len(await proposals(registry, per_page=100)) == 20
    # staff entries are not self-registrations: not limited
    await create_org(registry)


FORMULA = "=cmd|' /C calc'!A0"


async def test_self_registered_values_are_escaped_and_marked_unverified_in_exports(registry):
    response = await registry.post(API, json=org_payload(full_name=FORMULA, short_name=None))
    assert response.status_code == 202
    await create_org(registry, full_name="АНО «Официальная»", short_name=None)

    exported = await registry.get(f"{PROPOSALS}/export", params={"format": "csv"}, headers=STAFF)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[-1] == "Проверено" and len(rows) == 2
    assert rows[1][header.index("Полное наименование")] == "'" + FORMULA
    assert rows[1][-1] == "нет"

    book = await registry.get(f"{PROPOSALS}/export", params={"format": "xlsx"}, headers=STAFF)
    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert sheet["B2"].data_type == "s" and cells[1][1] == "'" + FORMULA
    assert cells[0][-1] == "Проверено" and cells[1][-1] == "нет"

    # a proposal's values never become official through a table
    again = (await upload(registry, exported.content, "proposals.csv")).json()
    assert again["created"] == 0 and [r["row"] for r in again["rejected"]] == [2]
    assert "Проверено" in again["rejected"][0]["reason"]

    [pending] = await proposals(registry)
    await registry.post(f"{PROPOSALS}/{pending['id']}/approve", headers=STAFF)
    official = await registry.get(f"{API}/export", params={"format": "csv"}, headers=STAFF)
    rows = list(csv.reader(io.StringIO(official.content.decode("utf-8-sig")), delimiter=";"))
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["'" + FORMULA][-1] == "да", "approved by staff: verified"
    assert by_name["АНО «Официальная»"][-1] == "да"
    assert rows[0][-1] == "Проверено"


async def test_a_squatter_stored_by_an_older_version_is_moved_out_of_the_way(registry, sandbox):
    """Older versions kept a self-registration as an unapproved organization holding its
    ОГРН: the service, when it starts, makes it a proposal, and the real NGO can be entered."""
    squatter = org_payload(**SQUATTER)
    legacy = {
        "_id": "legacy-squatter",
        **{k: v for k, v in squatter.items() if k != "kpp"},
        "status": "active",
        "source": "self_registered",
        "approved": False,
        "hand_edited": [],
        "created_at": datetime(2024, 1, 2, tzinfo=UTC),
        "updated_at": datetime(2024, 1, 2, tzinfo=UTC),
    }
    db = registry.client_db()
    await db.organizations.insert_one(legacy)

    restarted = create_app(RegistrySettings(**sandbox.settings("registry")))
    async with running(restarted):

        async def moved() -> bool:
            return await db.organizations.find_one({"_id": "legacy-squatter"}) is None

        await wait_until(moved)
    assert await registry.app.state.runtime.context.proposals.adopt_unapproved() == 0

    official = await create_org(registry, ogrn=squatter["ogrn"], full_name="АНО «Настоящая»")
    [proposal] = await proposals(registry)
    assert proposal["id"] == "legacy-squatter"
    assert proposal["website"] == "https://squatter.example"
    assert proposal["submitted_at"].startswith("2024-01-02")
    assert proposal["official"]["id"] == official["id"] and proposal["conflict"] is True
