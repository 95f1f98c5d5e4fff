"""The public pages' cache: validators and 304s, and no stale page after a change made
through this process (a published post, an edited title, a change no route made)."""

from __future__ import annotations

from pymongo import AsyncMongoClient

from nkohub_publishing import pages
from nkohub_shared.storage.writeclock import WRITES, unseen
from tests.publishing.conftest import _database, make_post, views_of

READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


async def test_home_answers_304_while_unchanged_and_shows_a_new_post_at_once(client):
    await make_post(client, title="Первая запись")
    first = await client.get("/", headers=READER)
    assert first.status_code == 200 and "Первая запись" in first.text
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and first.headers["cache-control"] == "public, no-cache"

    again = await client.get("/", headers={**READER, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = await client.get("/", headers={**READER, "If-Modified-Since": modified})
    assert since.status_code == 304
    other = await client.get("/", headers={**READER, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.headers["etag"] == etag

    await make_post(client, title="Вторая запись")
    after = await client.get("/", headers={**READER, "If-None-Match": etag})
    assert after.status_code == 200 and "Вторая запись" in after.text
    assert after.headers["etag"] != etag


async def test_a_post_page_shows_an_edit_at_once_and_keeps_its_csp(client):
    post = await make_post(client, title="Старое название")
    page = await client.get(f"/posts/{post['slug']}", headers=READER)
    assert page.status_code == 200 and "Старое название" in page.text
    cached = await client.get(f"/posts/{post['slug']}", headers=READER)
    assert cached.text == page.text and cached.headers["etag"] == page.headers["etag"]
    assert "content-security-policy" in cached.headers

    edited = await client.patch(f"/api/v1/posts/{post['id']}", json={"title": "Новое название"})
    assert edited.status_code == 200, edited.text
    after = await client.get(
        f"/posts/{post['slug']}", headers={**READER, "If-None-Match": page.headers["etag"]}
    )
    assert after.status_code == 200 and "Новое название" in after.text


async def test_a_write_no_route_made_is_seen_too(client, sandbox):
    """Any write this process's client sends counts (here: a second client in the same
    process, as a consumer or a background job would write)."""
    post = await make_post(client, title="Запись до правки")
    assert "Запись до правки" in (await client.get(f"/posts/{post['slug']}")).text
    mongo: AsyncMongoClient = AsyncMongoClient(sandbox.servers.mongodb_url)
    try:
        db = mongo[sandbox.database("publishing")]
        await db.posts.update_one({"_id": post["id"]}, {"$set": {"title": "Правка из базы"}})
    finally:
        await mongo.close()
    assert "Правка из базы" in (await client.get(f"/posts/{post['slug']}")).text


async def test_each_visitor_gets_the_version_they_chose_from_the_cache(client):
    """The visually impaired version is chosen by a cookie: a cached page is kept per
    version, never handed from one visitor to another."""
    post = await make_post(client, title="Запись для всех")
    vi = {**READER, "Cookie": "nkohub_a11y=on.3.wb.noimg.wide"}
    for path in ("/", f"/posts/{post['slug']}"):
        ordinary = await client.get(path, headers=READER)
        chosen = await client.get(path, headers=vi)
        again = await client.get(path, headers=READER)
        assert 'class="vi ' not in ordinary.text and 'class="vi ' not in again.text, path
        assert 'class="vi vi-size-3 vi-wb vi-noimg vi-wide"' in chosen.text, path
        assert chosen.headers["etag"] != ordinary.headers["etag"], path
        assert again.headers["etag"] == ordinary.headers["etag"], path
        assert ordinary.headers["vary"] == "Cookie"


async def test_a_post_page_past_its_time_to_live_is_revalidated_not_rendered_again(
    client, sandbox, monkeypatch
):
    """Past its time to live a post's page is checked against the store (one read): kept
    while the post is as it was, rendered again once another replica changed it (a write
    this process did not see)."""
    monkeypatch.setattr(pages.PAGES, "ttl_seconds", 0.0)
    renders: list[str] = []
    real_render = pages.render

    def counting_render(ctx, name, *args, **kwargs):
        renders.append(name)
        return real_render(ctx, name, *args, **kwargs)

    monkeypatch.setattr(pages, "render", counting_render)
    post = await make_post(client, title="Запись для проверки")
    path = f"/posts/{post['slug']}"
    first = await client.get(path, headers=READER)
    second = await client.get(path, headers={**READER, "If-None-Match": first.headers["etag"]})
    assert first.status_code == 200 and "Запись для проверки" in first.text
    assert second.status_code == 304 and renders.count("post.html") == 1

    async def edit_elsewhere(db) -> None:
        with unseen():  # as another replica's write: this process's clock does not move
            await db.posts.update_one({"_id": post["id"]}, {"$set": {"title": "Правка рядом"}})

    await _database(sandbox, edit_elsewhere)
    after = await client.get(path, headers={**READER, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and "Правка рядом" in after.text
    assert renders.count("post.html") == 2


async def test_a_counted_view_keeps_the_cached_pages_and_is_not_lost(client, sandbox):
    post = await make_post(client, title="Читаемая запись")
    path = f"/posts/{post['slug']}"
    database = sandbox.database("publishing")
    page = await client.get(path, headers=READER)
    assert page.status_code == 200
    counted = await views_of(client, [post["id"]], total=1)
    assert counted == [1]
    stamp = WRITES.stamp(database, pages.POST_READS)
    for n in range(3):  # three new visitors: three views, no page thrown away
        other = {"User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Chrome/13{n}.0"}
        assert (await client.get(path, headers=other)).status_code == 200
    assert await views_of(client, [post["id"]], total=4) == [4]
    assert WRITES.stamp(database, pages.POST_READS) == stamp
    clock = client._transport.app.state.runtime.writes  # the pages are kept per runtime
    key = ("/posts/", post["slug"])
    assert pages.PAGES.lookup(database, pages.POST_READS, key, clock=clock) is not None
