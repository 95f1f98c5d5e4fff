"""Scheduled posts and deadline reminders fire on time, once, also across a crash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.publishing.conftest import events_written, make_post
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.processes import ServiceProcess


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def schedule_soon(client, post_id: str, lead: float = 2.0) -> datetime:
    """Schedule the post ``lead`` seconds ahead; when the request itself took longer than
    that (a loaded machine: the time was already past on arrival, 422), again further
    ahead. Returns the scheduled time, as stored (milliseconds)."""
    for _ in range(5):
        at = datetime.now(UTC) + timedelta(seconds=lead)
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        answer = await client.post(
            f"/api/v1/posts/{post_id}/schedule", json={"publish_at": iso(at)}
        )
        if answer.status_code == 200:
            assert answer.json()["status"] == "scheduled"
            return at
        assert answer.status_code == 422 and datetime.now(UTC) >= at, answer.text
        assert answer.json()["error"]["field"] == "publish_at"
        lead *= 2
    raise AssertionError("could not schedule ahead of the clock")


async def test_scheduled_post_goes_live_on_time_once(client, spy, sandbox):
    # "On time" is proven by what was recorded, not by how fast this test runs: the post
    # goes live at its scheduled time (published_at), its event is written no earlier
    # than that time, and it goes live once, whatever later scheduler passes do.
    post = await make_post(client, publish=False, title="Запланированная")
    at = await schedule_soon(client, post["id"])
    page = await client.get(f"/posts/{post['slug']}")
    if datetime.now(UTC) < at:  # answered before its time (unless the machine stalled)
        assert page.status_code == 404, "not before its time"
    await wait_until(lambda: _published(client, post["id"]), timeout=60, every=0.1)
    assert (await client.get(f"/posts/{post['slug']}")).status_code == 200

    # a later scheduled post going live proves later scheduler passes ran
    marker = await make_post(client, publish=False, title="Следующая")
    await schedule_soon(client, marker["id"], lead=0.5)
    await wait_until(lambda: _published(client, marker["id"]), timeout=60, every=0.1)
    events = await events_written(spy, sandbox, "publishing.post.published")
    assert sorted(e["data"]["post_id"] for e in events) == sorted([post["id"], marker["id"]])
    first = next(e for e in events if e["data"]["post_id"] == post["id"])
    assert datetime.fromisoformat(first["data"]["published_at"]) == at
    assert datetime.fromisoformat(first["time"]) >= at, "went live before its time"
    stored = (await client.get(f"/api/v1/posts/{post['id']}")).json()
    assert stored["status"] == "published" and stored["publish_at"] is None
    assert datetime.fromisoformat(stored["published_at"]) == at


async def _published(client, post_id: str) -> bool:
    return (await client.get(f"/api/v1/posts/{post_id}")).json()["status"] == "published"


async def test_schedule_rules(client):
    post = await make_post(client, publish=False)
    past = await client.post(
        f"/api/v1/posts/{post['id']}/schedule",
        json={"publish_at": iso(datetime.now(UTC) - timedelta(minutes=1))},
    )
    assert past.status_code == 422 and past.json()["error"]["field"] == "publish_at"
    naive = await client.post(
        f"/api/v1/posts/{post['id']}/schedule", json={"publish_at": "2030-01-01T10:00:00"}
    )
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "publish_at"
    live = await make_post(client)
    refused = await client.post(
        f"/api/v1/posts/{live['id']}/schedule", json={"publish_at": "2030-01-01T10:00:00+04:00"}
    )
    assert refused.status_code == 409
    later = await client.post(
        f"/api/v1/posts/{post['id']}/schedule", json={"publish_at": "2030-01-01T10:00:00+04:00"}
    )
    assert later.status_code == 200
    back = await client.post(f"/api/v1/posts/{post['id']}/unpublish", json={"to": "draft"})
    assert back.json()["status"] == "draft" and back.json()["publish_at"] is None


def _process(sandbox, tmp_path, name: str) -> ServiceProcess:
    env = sandbox.env(
        "publishing",
        scheduler_seconds=0.3,
        public_base_url="https://proekt-plus.example",
        deadline_reminder_days="[14,3]",
    )
    return ServiceProcess("nkohub_publishing", env, log_path=tmp_path / f"{name}.log")


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_schedule_and_deadline_survive_a_crash_and_fire_once(sandbox, spy, tmp_path):
    first = await asyncio.to_thread(_process(sandbox, tmp_path, "first").start)
    headers = staff_headers()
    try:
        async with httpx.AsyncClient(base_url=first.url, headers=headers, timeout=10) as api:
            closes_at = datetime.now(UTC) + timedelta(days=3, seconds=8)
            competition = (
                await api.post(
                    "/api/v1/competitions",
                    json={
                        "name": "Конкурс ФПГ",
                        "operator": "Фонд президентских грантов",
                        "closes_at": iso(closes_at),
                    },
                )
            ).json()
            # the 14-day reminder is due at once; the 3-day one only after the crash
            await spy.wait_for(lambda _: spy.of_type("publishing.grant.deadline_approaching"))
            post = (
                await api.post(
                    "/api/v1/posts", json={"title": "Переживёт сбой", "category": "ngo-news"}
                )
            ).json()
            publish_at = datetime.now(UTC) + timedelta(seconds=2)
            response = await api.post(
                f"/api/v1/posts/{post['id']}/schedule", json={"publish_at": iso(publish_at)}
            )
            assert response.status_code == 200
    finally:
        first.kill()
    killed_at = datetime.now(UTC)
    assert killed_at < publish_at and killed_at < closes_at - timedelta(days=3), (
        "the machine was too slow to kill the service before its due times; run again"
    )
    # the post's time and the 3-day mark pass while the service is down
    due = max(publish_at, closes_at - timedelta(days=3))
    await asyncio.sleep((due - datetime.now(UTC)).total_seconds() + 0.5)
    assert not spy.of_type("publishing.post.published")
    assert len(spy.of_type("publishing.grant.deadline_approaching")) == 1
    # two processes race for the same due work: each event must still go out once
    restarted = [_process(sandbox, tmp_path, name) for name in ("second", "third")]
    await asyncio.gather(*(asyncio.to_thread(p.start) for p in restarted))
    try:
        await spy.wait_for(
            lambda _: (
                spy.of_type("publishing.post.published")
                and len(spy.of_type("publishing.grant.deadline_approaching")) >= 2
            ),
            timeout=20,
        )
        async with httpx.AsyncClient(base_url=restarted[0].url, headers=headers) as api:
            page = await api.get(f"/posts/{post['slug']}")
            assert page.status_code == 200
    finally:
        for process in restarted:
            process.stop()
    # Stopped, the processes write nothing more: what they wrote is all there is to count.
    # Two relays may both publish one outbox entry (at-least-once publication; the
    # consumers dedupe by event id): what must be single is the event, not the message.
    published = await events_written(spy, sandbox, "publishing.post.published")
    assert [e["data"]["post_id"] for e in published] == [post["id"]]
    reminders = await events_written(spy, sandbox, "publishing.grant.deadline_approaching")
    assert sorted(e["data"]["reminder_days"] for e in reminders) == [3, 14]
    assert len(reminders) == 2, "one per mark: 14 days (before the crash), 3 days (after)"
    assert all(e["data"]["competition_id"] == competition["id"] for e in reminders)
