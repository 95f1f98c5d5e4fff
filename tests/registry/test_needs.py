"""The needs survey and the staff report of shares."""

from __future__ import annotations

from tests.registry.conftest import STAFF, create_org


async def test_needs_report_gives_shares_of_the_organizations_that_answered(registry):
    orgs = [await create_org(registry, full_name=f"АНО «Номер {i}»") for i in range(9)]
    answers = [
        {"needs": ["legal", "reporting"], "specialists": ["lawyer", "accountant"]},
        {"needs": ["premises"], "specialists": ["tax_inspector"]},
        {"needs": ["grants", "pr"], "specialists": ["project_expert", "pr_specialist"]},
        {"needs": ["legal"], "specialists": ["lawyer"]},
        {"needs": ["reporting"], "specialists": ["accountant", "economist"]},
        {"needs": ["other"], "needs_other": "транспорт", "specialists": ["ecologist"]},
        {"needs": ["legal", "grants"], "specialists": ["animal_protection"]},
        {"needs": ["premises"], "specialists": ["lawyer"]},
    ]
    for i, (org, answer) in enumerate(zip(orgs, answers, strict=False)):
        body = {**answer, "wants_meetups": i != 3, "answered_on": "2019-01-20"}
        response = await registry.put(
            f"/api/v1/organizations/{org['id']}/needs", json=body, headers=STAFF
        )
        assert response.status_code == 200, response.text
    # the ninth organization did not answer

    report = (await registry.get("/api/v1/reports/needs", headers=STAFF)).json()
    assert report["organizations_total"] == 9 and report["answered"] == 8
    assert report["wants_meetups"] == {"count": 7, "share": 0.875}
    assert report["wants_consultations"] == {"count": 8, "share": 1.0}
    needs = {n["code"]: n for n in report["needs"]}
    assert needs["legal"]["count"] == 3 and needs["legal"]["share"] == 0.375
    assert needs["legal"]["label"] == "юридическая помощь"
    specialists = {s["code"]: s for s in report["specialists"]}
    assert specialists["lawyer"]["count"] == 3
    assert specialists["tax_inspector"]["label"] == "налоговый инспектор"
    assert set(specialists) == {
        "lawyer",
        "tax_inspector",
        "economist",
        "accountant",
        "pr_specialist",
        "animal_protection",
        "ecologist",
        "project_expert",
    }

    staff_view = await registry.get(f"/api/v1/organizations/{orgs[0]['id']}", headers=STAFF)
    assert staff_view.json()["needs"]["specialists"] == ["lawyer", "accountant"]
    public = (await registry.get(f"/api/v1/organizations/{orgs[0]['id']}")).json()
    assert "needs" not in public


async def test_needs_survey_is_validated(registry):
    org = await create_org(registry)
    url = f"/api/v1/organizations/{org['id']}/needs"
    bad = {"needs": ["money"], "wants_meetups": True, "answered_on": "2019-01-20"}
    response = await registry.put(url, json=bad, headers=STAFF)
    assert response.status_code == 422 and response.json()["error"]["field"].startswith("needs")
    response = await registry.put(url, json={"needs": []}, headers=STAFF)
    assert response.status_code == 422
    missing = await registry.put(
        "/api/v1/organizations/nope/needs",
        json={"wants_meetups": True, "answered_on": "2019-01-20"},
        headers=STAFF,
    )
    assert missing.status_code == 404
