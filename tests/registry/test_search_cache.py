"""The public organization search answers from a cache of encoded bodies: validators and
304s, a change made through the API or by a consumed event seen at once (the caches' time
to live is an hour here, so only the invalidation can show it), staff never cached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nkohub_contracts.events import AttendanceRecorded
from nkohub_registry.api import organizations as api
from nkohub_registry.service import organizations as service
from nkohub_shared.privacy import person_key
from tests.registry.conftest import STAFF, create_org, publish
from tests.support.broker import wait_until

API = "/api/v1/organizations"


@pytest.fixture(autouse=True)
def long_lived_caches(monkeypatch):
    monkeypatch.setattr(api.PUBLIC_SEARCHES, "ttl_seconds", 3600.0)
    monkeypatch.setattr(service.SEARCHES, "ttl_seconds", 3600.0)


async def test_the_public_search_answers_304_while_unchanged_and_sees_a_new_organization(
    registry,
):
    await create_org(registry, full_name="АНО «Кедр»")
    first = await registry.get(API, params={"q": "кедр"})
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert [o["full_name"] for o in first.json()["items"]] == ["АНО «Кедр»"]
    assert first.json()["total"] == 1 and first.json()["page"] == 1
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"

    again = await registry.get(API, params={"q": "кедр"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_query = await registry.get(API, params={"q": "кедр", "per_page": 5})
    assert other_query.status_code == 200 and other_query.json()["per_page"] == 5

    await create_org(registry, full_name="Фонд «Кедровый орех»")
    after = await registry.get(API, params={"q": "кедр"}, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert sorted(o["full_name"] for o in after.json()["items"]) == [
        "АНО «Кедр»",
        "Фонд «Кедровый орех»",
    ]


async def test_an_edit_is_seen_at_once_and_staff_read_the_store(registry):
    org = await create_org(registry, full_name="АНО «Ольха»")
    public = (await registry.get(API, params={"q": "ольха"})).json()["items"][0]
    assert "staff_history" not in public
    edited = await registry.patch(
        f"{API}/{org['id']}", json={"full_name": "АНО «Ольха и клён»"}, headers=STAFF
    )
    assert edited.status_code == 200, edited.text
    assert [
        o["full_name"] for o in (await registry.get(API, params={"q": "ольха"})).json()["items"]
    ] == ["АНО «Ольха и клён»"]

    staff = await registry.get(API, params={"q": "ольха"}, headers=STAFF)
    assert staff.status_code == 200 and "etag" not in staff.headers
    assert "staff_history" in staff.json()["items"][0]


async def test_a_consumed_event_changes_the_cached_search_at_once(registry, sandbox):
    org = await create_org(registry, full_name="АНО «Ясень»")

    async def meetups_attended() -> int:
        items = (await registry.get(API, params={"q": "ясень"})).json()["items"]
        return items[0]["history"]["meetups_attended"]

    assert await meetups_attended() == 0
    at = datetime(2019, 5, 28, 15, 0, tzinfo=UTC)
    await publish(
        sandbox.amqp_url,
        AttendanceRecorded(
            attendance_id="att-cache-1",
            meetup_id="m-cache",
            meetup_title="Презентация НКО",
            meetup_starts_at=at,
            person_key=person_key("one@example.ru"),
            role="ngo_representative",
            organization_id=org["id"],
            checked_in_at=at,
        ),
    )

    async def seen() -> bool:
        return await meetups_attended() == 1

    await wait_until(seen)
