"""Views: one per visitor per post per day, no personal data kept, hourly reports once,
staff statistics per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from nkohub_publishing.domain.clock import local_day
from tests.publishing.conftest import events_written, make_post, views_of
from tests.support.inprocess import staff_headers

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
PHONE = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari"}


async def test_one_view_per_visitor_per_post_per_day(client, sandbox):
    post = await make_post(client, title="Считаем просмотры")
    other = await make_post(client, title="Другая запись")
    for _ in range(3):
        await client.get(f"/posts/{post['slug']}", headers=BROWSER)
    await client.get(f"/posts/{post['slug']}", headers=PHONE)
    await client.get(f"/posts/{other['slug']}", headers=BROWSER)
    await client.get(f"/posts/{post['slug']}", headers={"User-Agent": "Googlebot/2.1"})
    assert await views_of(client, [post["id"], other["id"]], total=3) == [2, 1]

    mongo: AsyncMongoClient = AsyncMongoClient(sandbox.servers.mongodb_url)
    try:
        db = mongo[sandbox.database("publishing")]
        visits = [v async for v in db.view_visits.find()]
        assert len(visits) == 3
        stored = repr(visits)
        assert "127.0.0.1" not in stored and "testclient" not in stored and "Firefox" not in stored
        assert all(len(v["_id"]) == 64 for v in visits), "only a keyed hash is kept"
    finally:
        await mongo.close()

    today = local_day(datetime.now(UTC)).isoformat()
    stats = await client.get("/api/v1/stats", params={"from": today, "to": today})
    body = stats.json()
    assert body["views"] == 3 and body["posts_published"] == 2
    assert {"post_id": post["id"], "views": 2} in body["top_posts"]
    yesterday = (local_day(datetime.now(UTC)) - timedelta(days=1)).isoformat()
    empty = await client.get("/api/v1/stats", params={"from": yesterday, "to": yesterday})
    assert empty.json()["views"] == 0 and empty.json()["posts_published"] == 0
    bad = await client.get("/api/v1/stats", params={"from": today, "to": yesterday})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "to"
    missing = await client.get("/api/v1/stats", params={"to": today})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "from"

    detail = await client.get(
        f"/api/v1/posts/{post['id']}/views", params={"from": today, "to": today}
    )
    assert detail.json()["days"] == [{"day": today, "views": 2}]
    periods = detail.json()["periods"]
    assert sum(p["views"] for p in periods) == 2 and len(periods) in (1, 2)


@pytest.mark.slow
async def test_closed_periods_are_reported_once(service, spy, sandbox):
    async with service(view_bucket_seconds=2, view_report_grace_seconds=0.2) as client:
        client.headers.update(staff_headers())
        post = await make_post(client, title="Почасовой счёт")
        other = await make_post(client, title="Ещё одна")
        marker = await make_post(client, title="Позже")
        await client.get(f"/posts/{post['slug']}", headers=BROWSER)
        await client.get(f"/posts/{post['slug']}", headers=PHONE)
        await client.get(f"/posts/{other['slug']}", headers=PHONE)

        def reported_views(post_ids: set[str]) -> int:
            reports = spy.of_type("publishing.views.counted")
            return sum(
                p["views"] for r in reports for p in r["data"]["posts"] if p["post_id"] in post_ids
            )

        await spy.wait_for(lambda _: reported_views({post["id"], other["id"]}) >= 3, timeout=10)
        # a view in a later period, reported by a later pass: the passes in between and an
        # empty period reported nothing more
        await client.get(f"/posts/{marker['slug']}", headers=BROWSER)
        await spy.wait_for(lambda _: reported_views({marker["id"]}) >= 1, timeout=10)
        reports = await events_written(spy, sandbox, "publishing.views.counted")
    periods = [r["data"]["period_start"] for r in reports]
    assert len(periods) == len(set(periods)), "each period once"
    per_post: dict[str, int] = {}
    for report in reports:
        data = report["data"]
        start = datetime.fromisoformat(data["period_start"])
        end = datetime.fromisoformat(data["period_end"])
        assert end - start == timedelta(seconds=2)
        assert data["views"] == sum(p["views"] for p in data["posts"])
        for item in data["posts"]:
            per_post[item["post_id"]] = per_post.get(item["post_id"], 0) + item["views"]
    assert per_post == {post["id"]: 2, other["id"]: 1, marker["id"]: 1}
