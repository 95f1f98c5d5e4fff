"""Erasure as the person meets it (a page behind their link) and as an auditor checks it:
every copy in the registry goes, a person without an e-mail is erased too, and nothing
that arrives later brings their data back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from nkohub_shared.links import LinkSigner, Purpose
from nkohub_shared.privacy import person_key
from tests.registry.conftest import ADMIN, STAFF, caught_up, create_org, identifiers, publish
from tests.registry.test_history import PAST, attendance
from tests.registry.test_import import TEMPLATE, upload
from tests.support.broker import wait_until

PEOPLE = "/api/v1/people"


def id_key(person_id: str) -> str:
    """The key of a person without an e-mail: an HMAC of their id."""
    return person_key(f"id:{person_id}")


API = "/api/v1/organizations"
OLD_CONSENT = {
    "purpose": "участие во встречах",
    "text_version": "2019-01",
    "given_at": "2019-03-01T10:00:00+04:00",
    "source": "бумажная анкета",
}
EMAIL = "anna.secret@example.ru"
NAME = "Анна Тайнова"
PHONE = "+7 (34141) 9-87-65"


async def add_person(client, **fields) -> dict:
    body = {
        "full_name": NAME,
        "role": "ngo_representative",
        "email": EMAIL,
        "phone": PHONE,
        "processing_consent": OLD_CONSENT,
        **fields,
    }
    response = await client.post(PEOPLE, json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return response.json()


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


async def test_the_erasure_link_opens_a_russian_page_that_confirms_then_erases(registry):
    person = await add_person(registry)
    link = (await registry.get(f"{PEOPLE}/{person['id']}/erasure-link", headers=ADMIN)).json()
    page_path = f"/people/{person['id']}/erase"
    assert link["url"].endswith(f"{page_path}?expires={link['expires']}&token={link['token']}")
    days = (datetime.fromisoformat(link["expires_at"]) - datetime.now(UTC)).days
    assert 29 <= days <= 30

    page = await registry.get(
        page_path, params={"expires": link["expires"], "token": link["token"]}
    )
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["content-type"].startswith("text/html")
    assert "Удаление персональных данных" in page.text and NAME in page.text
    assert "a•••@example.ru" in page.text and EMAIL not in page.text
    assert '<form method="post"' in page.text and "<script" not in page.text
    fields = form_fields(page.text)
    assert fields == {"token": link["token"], "expires": str(link["expires"])}
    still = (await registry.get(f"{PEOPLE}/{person['id']}", headers=STAFF)).json()
    assert still["full_name"] == NAME, "opening the page erases nothing"

    # a forged form (another site, no link) and a tampered expiry: a Russian 403 page
    for forged in ({}, {"token": "x" * 32, "expires": link["expires"]}):
        refused = await registry.post(page_path, data=forged)
        assert refused.status_code == 403 and "Ссылка недействительна" in refused.text
        assert refused.headers["Referrer-Policy"] == "no-referrer"
    longer = {"token": link["token"], "expires": str(link["expires"] + 86400)}
    assert (await registry.post(page_path, data=longer)).status_code == 403

    done = await registry.post(page_path, data=fields)
    assert done.status_code == 200 and "Данные удалены" in done.text
    assert done.headers["Referrer-Policy"] == "no-referrer"
    erased = (await registry.get(f"{PEOPLE}/{person['id']}", headers=STAFF)).json()
    assert erased["erased"] is True and erased["full_name"] is None
    again = await registry.get(page_path, params=fields)
    assert again.status_code == 200 and "Данные удалены" in again.text
    assert NAME not in again.text


async def test_an_expired_or_broken_link_gets_a_russian_403_page(registry):
    person = await add_person(registry)
    secret = registry.app.state.runtime.settings.link_secret.get_secret_value()
    past = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    expired = LinkSigner(secret).token(Purpose.ERASURE, f"{person['id']}|{past}")
    page_path = f"/people/{person['id']}/erase"
    for params in (
        {"expires": past, "token": expired},
        {"token": LinkSigner(secret).token(Purpose.ERASURE, person["id"])},  # old, no expiry
        {"expires": past, "token": "повреждён"},
        {},
    ):
        page = await registry.get(page_path, params=params)
        assert page.status_code == 403, params
        assert "Ссылка недействительна" in page.text and "срок" in page.text
        assert page.headers["Referrer-Policy"] == "no-referrer"
    assert (
        await registry.post(page_path, data={"expires": past, "token": expired})
    ).status_code == 403
    kept = (await registry.get(f"{PEOPLE}/{person['id']}", headers=STAFF)).json()
    assert kept["full_name"] == NAME


async def test_erasure_reaches_every_copy_in_the_registry_and_lasts(registry, sandbox, spy):
    org = await create_org(registry, full_name="АНО «Память»")
    anna = await add_person(registry, organization_ids=[org["id"]])
    nameless = await add_person(
        registry, full_name="Пётр Безпочтов", email=None, phone="+7 (34141) 1-11-11"
    )
    leader = await registry.patch(
        f"{API}/{org['id']}", json={"leader_person_id": anna["id"]}, headers=STAFF
    )
    assert leader.status_code == 200
    await publish(sandbox.amqp_url, attendance(901, "m1", EMAIL, org["id"], PAST))

    async def history() -> dict:
        return (await registry.get(f"{API}/{org['id']}")).json()["history"]

    await wait_until(lambda: _came(history, 1))

    # Anna erases herself through the page; Пётр, who has no e-mail, by an admin
    link = (await registry.get(f"{PEOPLE}/{anna['id']}/erasure-link", headers=ADMIN)).json()
    done = await registry.post(
        f"/people/{anna['id']}/erase", data={"token": link["token"], "expires": link["expires"]}
    )
    assert done.status_code == 200 and "Данные удалены" in done.text
    by_admin = await registry.delete(f"{PEOPLE}/{nameless['id']}", headers=ADMIN)
    assert by_admin.status_code == 200 and by_admin.json()["full_name"] is None

    await spy.wait_for(lambda ev: len(spy.of_type("registry.person.erased")) == 2)
    erased = spy.of_type("registry.person.erased")
    keys = {e["data"]["person_id"]: e["data"]["person_keys"] for e in erased}
    assert keys == {anna["id"]: [person_key(EMAIL)], nameless["id"]: [id_key(nameless["id"])]}

    # the history keeps the count, not the key
    assert (await history())["people_came"] == 1
    db = registry.client_db()
    assert person_key(EMAIL) not in (await db.history.find_one({"_id": org["id"]}))["person_keys"]

    # later: an attendance of hers that arrives late, an import naming her address, and an
    # old consent form entered again — none brings her data back
    await publish(sandbox.amqp_url, attendance(902, "m2", EMAIL, org["id"], PAST))
    await wait_until(lambda: _attended(history, 2))
    stored = await db.history.find_one({"_id": org["id"]})
    assert person_key(EMAIL) not in stored["person_keys"]
    assert (await history())["people_came"] == 1

    ogrn, inn = identifiers()
    template = TEMPLATE.strip() + ";public_email\n"
    row = f"АНО «Новая»;;ano;{ogrn};{inn};Глазов;youth;да;active;{EMAIL}\n"
    assert (await upload(registry, (template + row).encode())).json()["created"] == 1
    imported = (await registry.get(API, params={"q": ogrn}, headers=STAFF)).json()["items"][0]
    assert imported["public_email"] is None

    again = await registry.post(
        PEOPLE,
        json={
            "full_name": NAME,
            "role": "ngo_representative",
            "email": EMAIL.upper(),
            "processing_consent": OLD_CONSENT,
        },
        headers=STAFF,
    )
    assert again.status_code == 409 and again.json()["error"]["field"] == "processing_consent"

    # the organization keeps the reference to its leader, never a name
    org_after = (await registry.get(f"{API}/{org['id']}", headers=STAFF)).json()
    assert org_after["leader_person_id"] == anna["id"]

    # every collection of the registry: no name, address, phone or key of either person
    await caught_up(
        registry,
        spy,
        lambda: create_org(registry, full_name="АНО «Маркер»"),
        lambda e: e["data"].get("organization", {}).get("full_name") == "АНО «Маркер»",
    )
    needles = [NAME, "Тайнова", EMAIL, "anna.secret", "9-87-65", "Безпочтов", "1-11-11"]
    pseudonyms = [person_key(EMAIL), id_key(nameless["id"])]
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            text = str(doc)
            assert not [n for n in needles if n.lower() in text.lower()], (name, text[:300])
            if name != "erased_people":  # the tombstones: keys (HMACs) only, by design
                assert not [k for k in pseudonyms if k in text], (name, text[:300])
    tombstones = [d async for d in db.erased_people.find({})]
    assert sorted(d["_id"] for d in tombstones) == sorted(pseudonyms)
    assert all(set(d) == {"_id", "erased_at"} for d in tombstones)

    # with a consent given after the erasure, staff may enter her again
    fresh = {**OLD_CONSENT, "given_at": datetime.now(UTC).isoformat()}
    back = await add_person(registry, processing_consent=fresh)
    assert back["email"] == EMAIL


async def _came(history, n: int) -> bool:
    return (await history())["people_came"] == n


async def _attended(history, n: int) -> bool:
    return (await history())["meetups_attended"] == n
