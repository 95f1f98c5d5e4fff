"""Public pages, feeds (parsed with feedparser), sitemap (parsed as XML), robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser

from tests.publishing.conftest import BASE_URL, make_post


async def test_post_page_has_open_graph_and_canonical(client):
    post = await make_post(
        client,
        title="Фонд президентских грантов открыл конкурс",
        body="Приём заявок до конца месяца.",
        category="grant-competitions",
        tags=["ФПГ", "Конкурс"],
        cover_image_url="https://img.example/cover.jpg",
        attachments=[{"title": "Положение", "url": "https://docs.example/p.pdf"}],
    )
    page = await client.get(f"/posts/{post['slug']}")
    html = page.text
    canonical = f"{BASE_URL}/posts/{post['slug']}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="Фонд президентских грантов открыл конкурс">' in html
    assert '<meta property="og:image" content="https://img.example/cover.jpg">' in html
    assert 'name="viewport"' in html
    assert "Грантовые конкурсы" in html and 'href="/tag/%D1%84%D0%BF%D0%B3"' in html
    assert "Положение" in html and "https://docs.example/p.pdf" in html
    assert "<script" not in html, "pages need no JavaScript"


async def test_home_category_tag_pages_and_pagination(client):
    for n in range(12):
        await make_post(client, title=f"Новость номер {n}", category="ngo-news", tags=["город"])
    await make_post(client, title="Методичка", category="methodology")
    home = await client.get("/")
    assert home.status_code == 200 and "Методичка" in home.text and "Новость номер 11" in home.text
    first = await client.get("/category/ngo-news")
    assert "Новость номер 11" in first.text and "Методичка" not in first.text
    assert "Страница 1 из 2" in first.text and 'href="?page=2"' in first.text
    second = await client.get("/category/ngo-news?page=2")
    assert "Новость номер 0" in second.text and "Новость номер 11" not in second.text
    assert (await client.get("/category/ngo-news?page=9")).status_code == 404
    assert (await client.get("/category/unknown")).status_code == 404
    tag = await client.get("/tag/город")
    assert "Новость номер 5" in tag.text and "Методичка" not in tag.text
    assert (await client.get("/category/ngo-news?page=0")).status_code == 422


async def test_search_is_case_insensitive_and_treats_yo_as_ye(client):
    await make_post(client, title="Ёлочный конкурс", body="Для детских объединений")
    await make_post(client, title="Другое", body="Про ЕЛКИ и шишки")
    await make_post(client, title="Совсем не то", body="налоги")
    found = await client.get("/search", params={"q": "ёлоч"})
    assert "Ёлочный конкурс" in found.text and "Совсем не то" not in found.text
    both = await client.get("/search", params={"q": "ЕЛ"})
    assert "Ёлочный конкурс" in both.text and "Другое" in both.text
    narrowed = await client.get("/search", params={"q": "елки шишки"})
    assert "Другое" in narrowed.text and "Ёлочный конкурс" not in narrowed.text
    assert "найдено записей: 1" in narrowed.text
    nothing = await client.get("/search", params={"q": "<script>"})
    assert nothing.status_code == 200 and "<script>" not in nothing.text


async def test_feeds_are_valid_atom_and_rss(client):
    await make_post(client, title="Первая", category="methodology", tags=["заявка"])
    await make_post(client, title="Вторая", category="ngo-news", tags=["заявка", "город"])
    await make_post(client, publish=False, title="Черновик не попадает")
    for kind, version in (("atom", "atom10"), ("rss", "rss20")):
        response = await client.get(f"/feed.{kind}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(f"application/{kind}+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.version == version
        titles = [e.title for e in feed.entries]
        assert titles == ["Вторая", "Первая"], "newest first, drafts left out"
        assert feed.entries[0].link.startswith(f"{BASE_URL}/posts/")
        category = feedparser.parse(
            (await client.get(f"/category/methodology/feed.{kind}")).content
        )
        assert not category.bozo and [e.title for e in category.entries] == ["Первая"]
        tag = feedparser.parse((await client.get(f"/tag/город/feed.{kind}")).content)
        assert not tag.bozo and [e.title for e in tag.entries] == ["Вторая"]
    assert (await client.get("/feed.json")).status_code == 404


async def test_sitemap_and_robots(client):
    post = await make_post(client, title="В карте сайта")
    hidden = await make_post(client, publish=False, title="Не в карте")
    response = await client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert f"{BASE_URL}/posts/{post['slug']}" in locs
    assert f"{BASE_URL}/posts/{hidden['slug']}" not in locs
    assert f"{BASE_URL}/grants" in locs
    robots = await client.get("/robots.txt")
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in robots.text and "Disallow: /api/" in robots.text
