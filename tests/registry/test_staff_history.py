"""Who did what to an organization: every staff write leaves an entry (actor = the staff
token's ``sub``) in its ``staff_history``, shown to staff only; the events a subscriber
wants (registered, updated, deactivated) name the actor."""

from __future__ import annotations

from tests.registry.conftest import create_org, org_payload
from tests.registry.test_people import person
from tests.support.inprocess import staff_headers

API = "/api/v1/organizations"
PROPOSALS = "/api/v1/proposals"
ANNA = staff_headers(sub="anna")
BORIS = staff_headers(sub="boris")


def actions(view: dict) -> list[tuple[str, str]]:
    return [(e["actor"], e["action"]) for e in view["staff_history"]]


async def test_staff_writes_on_an_organization_record_their_actor(registry, spy):
    created = await registry.post(API, json=org_payload(), headers=ANNA)
    assert created.status_code == 201, created.text
    oid = created.json()["id"]
    assert actions(created.json()) == [("anna", "created")]
    patched = await registry.patch(f"{API}/{oid}", json={"website": None}, headers=BORIS)
    assert patched.status_code == 200, patched.text
    same = await registry.patch(f"{API}/{oid}", json={"website": None}, headers=ANNA)
    assert same.json()["changed"] == []  # nothing changed: no entry
    needs = {
        "needs": ["premises"],
        "specialists": ["lawyer"],
        "wants_meetups": True,
        "answered_on": "2024-01-15",
    }
    answered = await registry.put(f"{API}/{oid}/needs", json=needs, headers=ANNA)
    assert answered.status_code == 200, answered.text
    grant = {
        "competition": "Президентский фонд",
        "foundation": "ФПГ",
        "year": 2024,
        "project_title": "Шахматы во дворах",
    }
    assert (await registry.post(f"{API}/{oid}/grants", json=grant, headers=BORIS)).is_success
    suspended = await registry.patch(
        f"{API}/{oid}", json={"status": "suspended", "status_reason": "решение суда"}, headers=ANNA
    )
    assert suspended.status_code == 200, suspended.text

    staff = (await registry.get(f"{API}/{oid}", headers=ANNA)).json()
    assert actions(staff) == [
        ("anna", "created"),
        ("boris", "updated"),
        ("anna", "needs_recorded"),
        ("boris", "grant_added"),
        ("anna", "updated"),
    ]
    assert isinstance(staff["history"], dict), "the history with us is still there"
    public = await registry.get(f"{API}/{oid}")
    assert public.status_code == 200 and "staff_history" not in public.json()
    assert "anna" not in public.text and "boris" not in public.text
    listed = (await registry.get(API)).json()["items"]
    assert listed and all("staff_history" not in item for item in listed)

    await spy.wait_for(lambda ev: spy.of_type("registry.organization.deactivated"))
    assert spy.of_type("registry.organization.registered")[0]["data"]["actor"] == "anna"
    assert spy.of_type("registry.organization.updated")[0]["data"]["actor"] == "boris"
    assert spy.of_type("registry.organization.deactivated")[0]["data"]["actor"] == "anna"


async def test_an_approved_or_merged_self_registration_names_who_decided(registry, spy):
    assert (await registry.post(API, json=org_payload(full_name="Клуб «Ладья»"))).status_code == 202
    official = await create_org(registry, website=None)
    twin = org_payload(ogrn=official["ogrn"], inn=None, website="https://new.example")
    assert (await registry.post(API, json=twin)).status_code == 202
    pending = (await registry.get(PROPOSALS, headers=ANNA)).json()["items"]
    by_name = {p["full_name"]: p for p in pending}

    approved = await registry.post(
        f"{PROPOSALS}/{by_name['Клуб «Ладья»']['id']}/approve", headers=BORIS
    )
    assert approved.status_code == 200, approved.text
    new_id = approved.json()["organization_id"]
    new = (await registry.get(f"{API}/{new_id}", headers=ANNA)).json()
    assert actions(new) == [("boris", "approved")] and new["source"] == "self_registered"

    merged = await registry.post(
        f"{PROPOSALS}/{by_name[twin['full_name']]['id']}/approve", headers=ANNA
    )
    assert merged.status_code == 200, merged.text
    after = (await registry.get(f"{API}/{official['id']}", headers=ANNA)).json()
    assert actions(after) == [("librarian", "created"), ("anna", "merged")]
    assert after["website"] == "https://new.example"

    await spy.wait_for(lambda ev: spy.of_type("registry.organization.updated"))
    registered = {
        e["data"]["organization"]["full_name"]: e["data"]["actor"]
        for e in spy.of_type("registry.organization.registered")
    }
    assert registered["Клуб «Ладья»"] == "boris"
    assert spy.of_type("registry.organization.updated")[0]["data"]["actor"] == "anna"


async def test_a_person_entered_by_staff_says_who_entered_them(registry):
    created = await registry.post("/api/v1/people", json=person(), headers=ANNA)
    assert created.status_code == 201, created.text
    assert actions(created.json()) == [("anna", "created")]
    again = await registry.get(f"/api/v1/people/{created.json()['id']}", headers=BORIS)
    assert actions(again.json()) == [("anna", "created")]
