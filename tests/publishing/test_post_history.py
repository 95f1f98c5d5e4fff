"""Who did what to a post: staff writes leave entries (actor = the token's ``sub``) in
the post's ``history`` (staff API only), and the published/unpublished events name the
actor — for a scheduled post, who scheduled it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.publishing.conftest import events_written
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

ANNA = staff_headers(sub="anna")
BORIS = staff_headers(sub="boris")


def actions(post: dict) -> list[tuple[str, str]]:
    return [(e["actor"], e["action"]) for e in post["history"]]


async def test_every_staff_write_on_a_post_records_its_actor(service, spy, sandbox):
    async with service() as client:
        body = {"title": "Конкурс грантов", "body": "Текст.", "category": "ngo-news"}
        created = await client.post("/api/v1/posts", json=body, headers=ANNA)
        pid = created.json()["id"]
        assert actions(created.json()) == [("anna", "created")]
        edited = await client.patch(f"/api/v1/posts/{pid}", json={"body": "Новый."}, headers=BORIS)
        assert edited.status_code == 200, edited.text
        await client.patch(f"/api/v1/posts/{pid}", json={"body": "Новый."}, headers=ANNA)  # same
        await client.post(f"/api/v1/posts/{pid}/publish", headers=BORIS)
        await client.post(f"/api/v1/posts/{pid}/publish", headers=ANNA)  # already: no entry
        down = await client.post(
            f"/api/v1/posts/{pid}/unpublish", json={"to": "archived"}, headers=ANNA
        )
        assert down.status_code == 200, down.text
        staff = (await client.get(f"/api/v1/posts/{pid}", headers=ANNA)).json()
        assert actions(staff) == [
            ("anna", "created"),
            ("boris", "updated"),
            ("boris", "published"),
            ("anna", "archived"),
        ]
        listed = (await client.get("/api/v1/posts", headers=ANNA)).json()["items"]
        assert actions(listed[0]) == actions(staff)

        published = await events_written(spy, sandbox, "publishing.post.published")
        unpublished = await events_written(spy, sandbox, "publishing.post.unpublished")
        assert [e["data"]["actor"] for e in published] == ["boris"]
        assert [e["data"]["actor"] for e in unpublished] == ["anna"]


async def test_a_scheduled_post_names_who_scheduled_it_and_the_page_shows_no_history(
    service, spy, sandbox
):
    async with service() as client:
        body = {"title": "Запланированная", "body": "Текст.", "category": "ngo-news"}
        pid = (await client.post("/api/v1/posts", json=body, headers=ANNA)).json()["id"]
        at = datetime.now(UTC) + timedelta(seconds=1)
        scheduled = await client.post(
            f"/api/v1/posts/{pid}/schedule", json={"publish_at": at.isoformat()}, headers=BORIS
        )
        assert scheduled.status_code == 200, scheduled.text

        async def live() -> bool:
            post = (await client.get(f"/api/v1/posts/{pid}", headers=ANNA)).json()
            return post["status"] == "published"

        await wait_until(live, timeout=15)
        post = (await client.get(f"/api/v1/posts/{pid}", headers=ANNA)).json()
        assert actions(post) == [("anna", "created"), ("boris", "scheduled")]
        [event] = await events_written(spy, sandbox, "publishing.post.published")
        assert event["data"]["actor"] == "boris"
        page = await client.get(f"/posts/{post['slug']}")
        assert page.status_code == 200 and "boris" not in page.text
