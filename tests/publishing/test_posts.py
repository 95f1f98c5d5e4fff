"""Posts: slugs, rendering, statuses and their events, staff access."""

from __future__ import annotations

from tests.publishing.conftest import BASE_URL, make_post
from tests.support.inprocess import staff_headers


async def test_staff_only(service):
    async with service() as anonymous:
        response = await anonymous.post(
            "/api/v1/posts", json={"title": "x", "category": "ngo-news"}
        )
        assert response.status_code == 401
        stats = await anonymous.get("/api/v1/stats?from=2026-01-01&to=2026-01-02")
        assert stats.status_code == 401


async def test_slug_is_transliterated_and_unique(client):
    first = await make_post(client, publish=False, title="Гранты для НКО: щедрый отбор")
    second = await make_post(client, publish=False, title="Гранты для НКО: щедрый отбор")
    assert first["slug"] == "granty-dlia-nko-shchedryi-otbor"
    assert second["slug"] == "granty-dlia-nko-shchedryi-otbor-2"


async def test_bad_input_names_the_field(client):
    response = await client.post("/api/v1/posts", json={"title": "x", "category": "sport"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "category"
    response = await client.post(
        "/api/v1/posts", json={"title": "x", "category": "ngo-news", "slug": "Не латиница"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "slug"
    assert (await client.get("/api/v1/posts")).json()["total"] == 0, "nothing half-written"


async def test_publish_and_unpublish_emit_events_and_keep_the_url(client, spy):
    post = await make_post(client, title="Конкурс Президентских грантов", body="Первый текст.")
    slug = post["slug"]
    assert post["status"] == "published" and post["published_at"]
    page = await client.get(f"/posts/{slug}")
    assert page.status_code == 200 and "Первый текст." in page.text

    await spy.wait_for(lambda _: spy.of_type("publishing.post.published"))
    event = spy.of_type("publishing.post.published")[0]
    assert event["data"]["post_id"] == post["id"]
    assert event["data"]["url"] == f"{BASE_URL}/posts/{slug}"
    assert event["subject"] == post["id"]

    edited = await client.patch(
        f"/api/v1/posts/{post['id']}", json={"title": "Совсем другой заголовок", "body": "Новый."}
    )
    assert edited.json()["slug"] == slug, "a published post keeps its URL"
    assert "Новый." in (await client.get(f"/posts/{slug}")).text

    down = await client.post(f"/api/v1/posts/{post['id']}/unpublish", json={"to": "archived"})
    assert down.json()["status"] == "archived"
    assert (await client.get(f"/posts/{slug}")).status_code == 404
    await spy.wait_for(lambda _: spy.of_type("publishing.post.unpublished"))
    assert spy.of_type("publishing.post.unpublished")[0]["data"]["slug"] == slug

    again = await client.post(f"/api/v1/posts/{post['id']}/publish")
    assert again.json()["slug"] == slug
    assert again.json()["published_at"] == post["published_at"], "the original date is kept"
    assert (await client.get(f"/posts/{slug}")).status_code == 200
    assert len(spy.of_type("publishing.post.published")) >= 1


async def test_old_slug_redirects_permanently(client):
    post = await make_post(client, title="Методичка по заявке")
    old = post["slug"]
    changed = await client.patch(f"/api/v1/posts/{post['id']}", json={"slug": "kak-pisat-zaiavku"})
    assert changed.status_code == 200
    response = await client.get(f"/posts/{old}")
    assert response.status_code == 301
    assert response.headers["location"] == "/posts/kak-pisat-zaiavku"
    other = await make_post(client, title="Другая")
    taken = await client.patch(f"/api/v1/posts/{other['id']}", json={"slug": old})
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "slug"


async def test_draft_slug_follows_title_until_published(client):
    post = await make_post(client, publish=False, title="Черновик")
    renamed = await client.patch(f"/api/v1/posts/{post['id']}", json={"title": "Итоговое имя"})
    assert renamed.json()["slug"] == "itogovoe-imia"
    assert (await client.get(f"/posts/{post['slug']}")).status_code == 404, "drafts are hidden"


async def test_excerpt_explicit_or_derived(client):
    long_body = "Слово " * 200
    derived = await make_post(client, publish=False, body=long_body)
    assert derived["excerpt"].endswith("…") and len(derived["excerpt"]) <= 241
    explicit = await make_post(client, publish=False, body=long_body, excerpt="Коротко о главном")
    assert explicit["excerpt"] == "Коротко о главном"
    edited = await client.patch(f"/api/v1/posts/{explicit['id']}", json={"body": "Новое"})
    assert edited.json()["excerpt"] == "Коротко о главном"


async def test_excerpt_decodes_entities(client):
    post = await make_post(
        client, publish=False, body="Гранты&nbsp;для НКО &laquo;Проект +&raquo; &amp; не только"
    )
    assert post["excerpt"] == "Гранты для НКО «Проект +» & не только", "once, &nbsp; stayed"


async def test_only_drafts_are_deleted(client):
    draft = await make_post(client, publish=False)
    live = await make_post(client)
    assert (await client.delete(f"/api/v1/posts/{draft['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/posts/{draft['id']}")).status_code == 404
    refused = await client.delete(f"/api/v1/posts/{live['id']}")
    assert refused.status_code == 409


async def test_admin_may_act_as_staff(service):
    async with service() as c:
        response = await c.get("/api/v1/posts", headers=staff_headers("admin"))
        assert response.status_code == 200


async def test_asyncapi_documents_what_the_service_publishes_and_consumes(client):
    response = await client.get("/asyncapi.json")
    assert response.status_code == 200
    channels = response.json()["channels"]
    for name in (
        "publishing.post.published:publish",
        "publishing.views.counted:publish",
        "publishing.grant.deadline_approaching:publish",
        "publishing.directory:consume",
        "publishing.meetup-posts:consume",
    ):
        assert name in channels


async def test_staff_listing_filters_and_pages(client):
    for n in range(3):
        await make_post(client, title=f"Опубликованная {n}")
    await make_post(client, publish=False, title="Черновик")
    drafts = (await client.get("/api/v1/posts", params={"status": "draft"})).json()
    assert drafts["total"] == 1 and drafts["items"][0]["title"] == "Черновик"
    page = (await client.get("/api/v1/posts", params={"limit": 2, "offset": 2})).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    bad = await client.get("/api/v1/posts", params={"status": "deleted"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "status"
    unknown = await client.patch("/api/v1/posts/nope", json={"title": "x"})
    assert unknown.status_code == 404
    extra = await client.patch(f"/api/v1/posts/{page['items'][0]['id']}", json={"views": 100})
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "views"
