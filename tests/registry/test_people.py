"""People, their 152-ФЗ consents, and erasure (by staff and by the person's own link)."""

from __future__ import annotations

from nkohub_shared.privacy import person_key
from tests.registry.conftest import ADMIN, STAFF, caught_up, create_org

PEOPLE = "/api/v1/people"
CONSENT = {
    "purpose": "участие во встречах «Открытое общение» и рассылка приглашений",
    "text_version": "2019-01",
    "given_at": "2019-03-01T10:00:00+04:00",
    "source": "бумажная анкета на встрече",
}


def person(**overrides):
    return {
        "full_name": "Мария Ивановна Петрова",
        "role": "ngo_representative",
        "email": "Petrova.M@example.ru",
        "phone": "+7 (34141) 2-22-33",
        "processing_consent": CONSENT,
        **overrides,
    }


async def test_a_person_is_held_only_with_a_processing_consent(registry):
    org = await create_org(registry)
    response = await registry.post(
        PEOPLE, json={k: v for k, v in person().items() if k != "processing_consent"}, headers=STAFF
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "processing_consent"
    bad = await registry.post(
        PEOPLE, json=person(processing_consent={**CONSENT, "given_at": "вчера"}), headers=STAFF
    )
    assert bad.status_code == 422
    assert (await registry.post(PEOPLE, json=person(role="boss"), headers=STAFF)).status_code == 422
    unknown = await registry.post(PEOPLE, json=person(organization_ids=["nope"]), headers=STAFF)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "organization_ids"

    publishing = {**CONSENT, "purpose": "публикация контактов в реестре", "text_version": "p-1"}
    created = await registry.post(
        PEOPLE,
        json=person(organization_ids=[org["id"]], publishing_consent=publishing),
        headers=STAFF,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "petrova.m@example.ru"
    assert body["processing_consent"]["text_version"] == "2019-01"
    assert body["publishing_consent"]["purpose"] == "публикация контактов в реестре"
    assert body["role_label"] == "представитель НКО"

    assert (await registry.get(PEOPLE)).status_code == 401
    assert (await registry.post(PEOPLE, json=person())).status_code == 401
    listed = await registry.get(PEOPLE, params={"organization_id": org["id"]}, headers=STAFF)
    assert [p["id"] for p in listed.json()["items"]] == [body["id"]]

    leader = await registry.patch(
        f"/api/v1/organizations/{org['id']}", json={"leader_person_id": body["id"]}, headers=STAFF
    )
    assert leader.json()["leader_person_id"] == body["id"]
    missing = await registry.patch(
        f"/api/v1/organizations/{org['id']}", json={"leader_person_id": "nobody"}, headers=STAFF
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "leader_person_id"


async def test_staff_erasure_removes_personal_data_and_publishes_person_keys(registry, spy):
    created = (await registry.post(PEOPLE, json=person(), headers=STAFF)).json()
    refused = await registry.delete(f"{PEOPLE}/{created['id']}", headers=STAFF)
    assert refused.status_code == 403, "erasure is the admin's"
    response = await registry.delete(f"{PEOPLE}/{created['id']}", headers=ADMIN)
    assert response.status_code == 200
    erased = response.json()
    assert erased["erased"] is True
    assert erased["full_name"] is None and erased["email"] is None and erased["phone"] is None
    assert erased["processing_consent"] is None

    await spy.wait_for(lambda ev: bool(spy.of_type("registry.person.erased")))
    event = spy.of_type("registry.person.erased")[0]
    assert event["data"] == {
        "person_id": created["id"],
        "person_keys": [person_key("petrova.m@example.ru")],
    }
    assert "petrova" not in str(event).lower()

    again = await registry.delete(f"{PEOPLE}/{created['id']}", headers=ADMIN)
    assert again.status_code == 200
    marker = await registry.post(PEOPLE, json=person(email="marker@example.ru"), headers=STAFF)
    marker_id = marker.json()["id"]

    async def erase_marker() -> None:
        assert (await registry.delete(f"{PEOPLE}/{marker_id}", headers=ADMIN)).status_code == 200

    await caught_up(registry, spy, erase_marker, lambda e: e["subject"] == marker_id)
    erased_events = spy.of_type("registry.person.erased")
    assert [e["data"]["person_id"] for e in erased_events] == [created["id"], marker_id]
    stored = await registry.client_db().people.find_one({"_id": created["id"]})
    assert stored["email"] is None and stored["person_key"] is None
    assert "Petrova" not in str(stored) and "petrova" not in str(stored)
    assert (await registry.delete(f"{PEOPLE}/nobody", headers=ADMIN)).status_code == 404


async def test_a_person_erases_their_own_data_with_their_signed_link(registry, spy):
    first = (await registry.post(PEOPLE, json=person(), headers=STAFF)).json()
    second = await registry.post(PEOPLE, json=person(email="other@example.ru"), headers=STAFF)
    second = second.json()
    staff_link = await registry.get(f"{PEOPLE}/{first['id']}/erasure-link", headers=STAFF)
    assert staff_link.status_code == 403, "the erasure link is the admin's to send"
    link = (await registry.get(f"{PEOPLE}/{first['id']}/erasure-link", headers=ADMIN)).json()
    expires = link["expires"]
    assert link["url"].endswith(
        f"/people/{first['id']}/erase?expires={expires}&token={link['token']}"
    )
    signed = {"token": link["token"], "expires": expires}

    assert (await registry.delete(f"{PEOPLE}/{first['id']}")).status_code == 403
    wrong = await registry.delete(f"{PEOPLE}/{second['id']}", params=signed)
    assert wrong.status_code == 403, "a token is worth nothing for another person"
    longer = await registry.delete(
        f"{PEOPLE}/{first['id']}", params={**signed, "expires": expires + 86400}
    )
    assert longer.status_code == 403, "the expiry is signed: it cannot be moved"
    bare = await registry.delete(f"{PEOPLE}/{first['id']}", params={"token": link["token"]})
    assert bare.status_code == 403, "a token without its expiry is refused"
    response = await registry.delete(f"{PEOPLE}/{first['id']}", params=signed)
    assert response.status_code == 200
    assert response.json() == {"id": first["id"], "erased": True}

    await spy.wait_for(lambda ev: bool(spy.of_type("registry.person.erased")))
    assert [e["data"]["person_id"] for e in spy.of_type("registry.person.erased")] == [first["id"]]
    kept = (await registry.get(f"{PEOPLE}/{second['id']}", headers=STAFF)).json()
    assert kept["email"] == "other@example.ru"
