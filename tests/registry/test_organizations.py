"""Organizations over HTTP against the real servers: validation, uniqueness, public vs
staff fields, events through the outbox, search."""

from __future__ import annotations

from tests.registry.conftest import (
    STAFF,
    caught_up,
    create_org,
    describe,
    described,
    identifiers,
    org_payload,
)

API = "/api/v1/organizations"


async def test_staff_entry_is_stored_announced_and_shown_publicly_without_staff_fields(
    registry, spy
):
    created = await create_org(registry)
    assert created["source"] == "staff"
    assert created["legal_form_label"].startswith("АНО")
    assert created["activity_area_labels"] == ["детство и семья", "культура"]

    events = await spy.wait_for(lambda ev: any(e["type"].endswith("registered") for e in ev))
    registered = next(e for e in events if e["type"] == "registry.organization.registered")
    assert registered["subject"] == created["id"]
    assert registered["data"]["source"] == "staff"
    assert registered["data"]["organization"]["ogrn"] == created["ogrn"]
    assert registered["data"]["organization"]["full_name"].endswith("«Ёлочка»")

    public = (await registry.get(f"{API}/{created['id']}")).json()
    assert public["ogrn"] == created["ogrn"] and public["city"] == "Глазов"
    for staff_only in ("source", "hand_edited", "leader_person_id", "needs", "approved"):
        assert staff_only not in public
    assert public["history"]["meetups_attended"] == 0
    staff = (await registry.get(f"{API}/{created['id']}", headers=STAFF)).json()
    assert "ogrn" in staff["hand_edited"] and staff["source"] == "staff"


async def test_invalid_numbers_are_refused_naming_the_field_and_nothing_is_written(registry):
    ogrn, _ = identifiers()
    bad_ogrn = ogrn[:-1] + str((int(ogrn[-1]) + 1) % 10)
    response = await registry.post(API, json=org_payload(ogrn=bad_ogrn), headers=STAFF)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "ogrn"
    assert "контрольная цифра ОГРН" in response.json()["error"]["message"]

    response = await registry.post(API, json=org_payload(inn="1837000016"), headers=STAFF)
    assert response.status_code == 422 and response.json()["error"]["field"] == "inn"
    response = await registry.post(API, json=org_payload(kpp="18370100"), headers=STAFF)
    assert response.status_code == 422 and response.json()["error"]["field"] == "kpp"
    response = await registry.post(API, json=org_payload(activity_areas=["chess"]), headers=STAFF)
    assert response.status_code == 422

    listing = (await registry.get(API, headers=STAFF)).json()
    assert listing["total"] == 0


async def test_second_organization_with_same_ogrn_or_inn_gets_409_naming_the_existing(registry):
    first = await create_org(registry, full_name="Фонд «Первый»")
    again = org_payload(ogrn=first["ogrn"], inn=None)
    response = await registry.post(API, json=again, headers=STAFF)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["field"] == "ogrn"
    assert error["existing"] == {"id": first["id"], "full_name": "Фонд «Первый»"}
    assert "Фонд «Первый»" in error["message"]

    response = await registry.post(API, json=org_payload(inn=first["inn"]), headers=STAFF)
    assert response.status_code == 409 and response.json()["error"]["field"] == "inn"

    second = await create_org(registry, full_name="Фонд «Второй»")
    response = await registry.patch(
        f"{API}/{second['id']}", json={"ogrn": first["ogrn"]}, headers=STAFF
    )
    assert response.status_code == 409
    assert response.json()["error"]["existing"]["id"] == first["id"]
    assert (await registry.get(API, headers=STAFF)).json()["total"] == 2


async def test_patch_publishes_changed_fields_and_deactivation(registry, spy):
    org = await create_org(registry)
    response = await registry.patch(
        f"{API}/{org['id']}",
        json={"description": "Кружки для детей", "kpp": "183701002"},
        headers=STAFF,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] == ["description", "kpp"]
    assert {"description", "kpp"} <= set(body["hand_edited"])

    events = await spy.wait_for(lambda ev: any(e["type"].endswith("updated") for e in ev))
    updated = [e for e in events if e["type"] == "registry.organization.updated"]
    assert updated[0]["data"]["changed"] == ["description"]  # kpp is not in the contract
    assert updated[0]["data"]["organization"]["description"] == "Кружки для детей"

    response = await registry.patch(
        f"{API}/{org['id']}",
        json={"status": "liquidated", "status_reason": "решение учредителей"},
        headers=STAFF,
    )
    assert response.status_code == 200
    events = await spy.wait_for(lambda ev: any(e["type"].endswith("deactivated") for e in ev))
    deactivated = spy.of_type("registry.organization.deactivated")
    assert deactivated[0]["data"] == {
        "organization_id": org["id"],
        "status": "liquidated",
        "reason": "решение учредителей",
        "actor": "librarian",
    }
    # the same value again: no change, no event (the marker proves the spy caught up)
    again = await registry.patch(f"{API}/{org['id']}", json={"status": "liquidated"}, headers=STAFF)
    assert again.json()["changed"] == []
    await caught_up(
        registry, spy, lambda: describe(registry, org["id"], "маркер"), described("маркер")
    )
    assert len(spy.of_type("registry.organization.deactivated")) == 1

    assert (
        await registry.patch(f"{API}/{org['id']}", json={"full_name": None}, headers=STAFF)
    ).status_code == 422


async def test_writes_need_a_staff_token(registry):
    org = await create_org(registry)
    assert (await registry.patch(f"{API}/{org['id']}", json={"city": "Ижевск"})).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await registry.get(API, headers=bad)).status_code == 401
    assert (await registry.get(f"{API}/export")).status_code == 401
    assert (await registry.put(f"{API}/{org['id']}/needs", json={})).status_code == 401
    assert (await registry.get("/api/v1/reports/needs")).status_code == 401


async def test_search_ignores_case_yo_and_quotes_and_matches_any_word(registry):
    await create_org(
        registry,
        full_name="Благотворительный фонд «Зелёный Глазов»",
        short_name=None,
        legal_form="fund",
        activity_areas=["ecology"],
    )
    await create_org(
        registry,
        full_name='АНО Молодёжный центр "Вектор"',
        short_name=None,
        activity_areas=["youth", "sport"],
    )
    await create_org(
        registry,
        full_name="Общественная организация шахматистов города",
        short_name=None,
        legal_form="public_organization",
        status="suspended",
    )

    async def names(**params):
        body = (await registry.get(API, params=params)).json()
        return [o["full_name"] for o in body["items"]]

    assert await names(q="ЗЕЛЕНЫЙ") == ["Благотворительный фонд «Зелёный Глазов»"]
    assert await names(q="«зелёный»") == ["Благотворительный фонд «Зелёный Глазов»"]
    assert await names(q="глазов") == ["Благотворительный фонд «Зелёный Глазов»"]
    assert await names(q="вектор") == ['АНО Молодёжный центр "Вектор"']
    assert await names(q='"молодежный" центр') == ['АНО Молодёжный центр "Вектор"']
    assert await names(q="шахмат") == ["Общественная организация шахматистов города"]
    assert await names(q="фонд вектор") == []
    assert await names(activity_area="youth") == ['АНО Молодёжный центр "Вектор"']
    assert await names(legal_form="fund") == ["Благотворительный фонд «Зелёный Глазов»"]
    assert await names(status="suspended") == ["Общественная организация шахматистов города"]
    assert len(await names()) == 3

    page1 = (await registry.get(API, params={"per_page": 2, "sort": "name"})).json()
    page2 = (await registry.get(API, params={"per_page": 2, "page": 2, "sort": "name"})).json()
    assert page1["total"] == 3 and len(page1["items"]) == 2 and len(page2["items"]) == 1
    ordered = [o["full_name"] for o in page1["items"] + page2["items"]]
    assert ordered == sorted(ordered, key=lambda n: n.lower().replace("ё", "е"))
    assert await names(sort="-name") == list(reversed(ordered))
    assert (await registry.get(API, params={"per_page": 500})).status_code == 422
    assert (await registry.get(API, params={"sort": "ogrn"})).status_code == 422

    by_number = (await registry.get(API)).json()["items"][0]
    found = (await registry.get(API, params={"q": by_number["ogrn"]})).json()["items"]
    assert [o["id"] for o in found] == [by_number["id"]]


async def test_concurrent_twins_leave_one_organization(registry):
    import asyncio

    payload = org_payload(inn=None)
    responses = await asyncio.gather(
        *(registry.post(API, json=payload, headers=STAFF) for _ in range(4))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409]
    assert (await registry.get(API, headers=STAFF)).json()["total"] == 1
