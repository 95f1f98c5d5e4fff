"""Walk every public (token-less) endpoint of the service and look for people's
personal data: no e-mail, no phone, no name-with-contact of a person may appear."""

from __future__ import annotations

import re

from tests.registry.conftest import STAFF, create_org, publish
from tests.registry.test_history import PAST, attendance
from tests.support.broker import wait_until

EMAIL = "leader.private@example.ru"
PHONE = "+7 (34141) 5-67-89"
CONSENT = {
    "purpose": "встречи",
    "text_version": "1",
    "given_at": "2019-03-01T10:00:00Z",
    "source": "анкета",
}


def leaks(text: str) -> list[str]:
    found = []
    lowered = text.lower()
    for needle in (EMAIL, "leader.private", "5-67-89", "56789", "34141"):
        if needle in lowered:
            found.append(needle)
    digits = re.sub(r"\D", "", text)
    if "7341415" in digits:
        found.append("phone digits")
    return found


async def test_no_public_response_carries_peoples_contacts(registry, sandbox):
    org = await create_org(registry, public_email="office@ngo-glazov.ru")
    person = await registry.post(
        "/api/v1/people",
        json={
            "full_name": "Сергей Лидеров",
            "role": "ngo_representative",
            "organization_ids": [org["id"]],
            "email": EMAIL,
            "phone": PHONE,
            "processing_consent": CONSENT,
            "publishing_consent": CONSENT,
        },
        headers=STAFF,
    )
    person_id = person.json()["id"]
    await registry.patch(
        f"/api/v1/organizations/{org['id']}", json={"leader_person_id": person_id}, headers=STAFF
    )
    await registry.put(
        f"/api/v1/organizations/{org['id']}/needs",
        json={"needs": ["legal"], "wants_meetups": True, "answered_on": "2019-01-20"},
        headers=STAFF,
    )
    await publish(sandbox.amqp_url, attendance(1, "m1", EMAIL, org["id"], PAST))

    async def came() -> bool:
        body = (await registry.get(f"/api/v1/organizations/{org['id']}")).json()
        return body["history"]["people_came"] == 1

    await wait_until(came)
    # the staff view does hold them: the needles are real
    staff = await registry.get(f"/api/v1/people/{person_id}", headers=STAFF)
    assert leaks(staff.text)

    ids = {"organization_id": org["id"], "person_id": person_id, "proposal_id": "nope"}
    queries = [
        {},
        {"q": "Ёлочка"},
        {"never_came": True},
        {"activity_area": "culture", "sort": "-name"},
        {"source": "staff", "awaiting_approval": True},
        {"format": "csv"},
    ]
    paths = registry.app.openapi()["paths"]
    walked = 0
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        url = path.format(**ids)
        for params in queries:
            response = await registry.get(url, params=params)
            walked += 1
            assert not leaks(response.text), (url, params, response.text[:300])
            if path == "/asyncapi.json":
                assert response.status_code == 200
                assert "registry.organization.registered" in response.text
                assert "registry.history" in response.text
            if path == "/people/{person_id}/erase":  # the erasure page: a link's token
                assert response.status_code == 403, url
            elif path == "/people/erase":  # the public erasure request: a form, no data
                assert response.status_code == 200, url
            elif "/people" in path or "/reports" in path or "export" in path or "proposals" in path:
                assert response.status_code == 401, url
    assert walked >= 6 * 8
    listing = await registry.get("/api/v1/organizations", params={"q": "Ёлочка"})
    assert listing.json()["items"][0]["public_email"] == "office@ngo-glazov.ru"

    # the one anonymous write: its answer carries nothing either, not even the existing one
    anonymous = await registry.post(
        "/api/v1/organizations",
        json={"full_name": "АНО «Новая»", "legal_form": "ano", "ogrn": org["ogrn"]},
    )
    assert anonymous.status_code == 202 and not leaks(anonymous.text)
    assert org["id"] not in anonymous.text and "Ёлочка" not in anonymous.text
    # personal-data endpoints refuse an anonymous caller whatever the method
    assert (await registry.delete(f"/api/v1/people/{person_id}")).status_code == 403
    assert (await registry.get(f"/api/v1/people/{person_id}/erasure-link")).status_code == 401
