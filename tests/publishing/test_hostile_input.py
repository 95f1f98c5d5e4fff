"""The service as an attacker sees it: markup smuggled into posts, the registry's
organizations and imports arrives nowhere live; inputs of every size and shape are refused
or served, never crashed on; an oversize or hostile upload is refused while it is read;
a script cannot inflate a post's views."""

from __future__ import annotations

import asyncio
import html
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import feedparser
import pytest
from icalendar import Calendar

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.registry import OrganizationRegistered
from nkohub_publishing.domain import blogger, views
from nkohub_publishing.domain.views import NEW_VISITORS_PER_CLIENT_POST
from nkohub_shared.limits import Limit
from tests.publishing.bus import publish
from tests.publishing.conftest import make_post, views_of
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.unit.publishing import exports
from tests.unit.publishing.markup import executable_parts

TYPED = "&lt;script&gt;alert(1)&lt;/script&gt;"  # Markdown: the text <script>…, as typed
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f'Гранты "><script>alert(2)</script>{IMG}'
HOSTILE_TAG = "<svg onload=alert(3)>"
RSS_HTML_FIELDS = ("title", "description")


async def import_blogger(client, data: bytes):
    return await client.post("/api/v1/imports/blogger", files={"file": ("blog.xml", data)})


def rss_items(body: bytes) -> list[ET.Element]:
    channel = ET.fromstring(body).find("channel")  # a strict XML parser
    assert channel is not None
    assert executable_parts(channel.findtext("title") or "") == []
    return channel.findall("item")


# ---------------------------------------------------------------- 1. feeds


async def test_feeds_deliver_no_live_markup(client):
    typed = await make_post(client, title="Как выглядит атака", body=f"Пример: {TYPED} — и всё.")
    assert SCRIPT in typed["excerpt"], "the excerpt is text: the entity is decoded"
    imported = exports.export(
        exports.entry(
            1,
            title=f"Из старого блога {IMG}",
            html=f"<p>Картинка {IMG} и текст {html.escape(IMG)} в записи.</p>",
        )
    )
    assert (await import_blogger(client, imported)).status_code == 200

    rss = (await client.get("/feed.rss")).content
    items = rss_items(rss)
    assert len(items) == 2
    for item in items:
        for name in RSS_HTML_FIELDS:  # what RSS readers render as HTML
            assert executable_parts(item.findtext(name) or "") == [], (name, item.findtext(name))
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        assert executable_parts(content) == [], content
    parsed = feedparser.parse(rss)
    assert not parsed.bozo, parsed.get("bozo_exception")
    shown = {html.unescape(e.summary) for e in parsed.entries}
    assert f"Пример: {SCRIPT} — и всё." in shown, "the reader shows the text as typed"
    assert any(f"текст {IMG} в записи" in s for s in shown)
    assert all(executable_parts(e.summary) == [] for e in parsed.entries)
    assert all(executable_parts(e.title) == [] for e in parsed.entries)

    atom = (await client.get("/feed.atom")).content
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for entry in ET.fromstring(atom).findall("a:entry", ns):
        assert entry.find("a:summary", ns).get("type") == "text"
        assert entry.find("a:title", ns).get("type") in (None, "text")
        assert executable_parts(entry.findtext("a:content", "", ns)) == []
    parsed_atom = feedparser.parse(atom)
    assert not parsed_atom.bozo
    assert {e.summary_detail.type for e in parsed_atom.entries} == {"text/plain"}
    assert f"Пример: {SCRIPT} — и всё." in {e.summary for e in parsed_atom.entries}


# ---------------------------------------------------------------- 5. every output


def hostile_organization() -> OrganizationPublic:
    return OrganizationPublic(
        organization_id="org-hostile",
        full_name=HOSTILE,
        short_name='<b onmouseover="alert(4)">АНО</b>',
        legal_form="АНО",
        ogrn="1021800000001",
        activity_areas=["sport", "<script>alert(5)</script>"],
        website='https://evil.example/"onmouseover="alert(6)',
        description=f"{SCRIPT}{IMG}",
    )


async def test_hostile_values_are_escaped_on_every_page_and_feed(client, sandbox):
    post = await make_post(
        client, title=HOSTILE, body="Текст.", tags=[HOSTILE_TAG], excerpt=f"Кратко {IMG}"
    )
    closes = (datetime.now(UTC) + timedelta(days=20)).isoformat()
    competition = {"name": HOSTILE, "operator": HOSTILE, "closes_at": closes, "region": IMG}
    assert (await client.post("/api/v1/competitions", json=competition)).status_code == 201
    await publish(
        sandbox.amqp_url,
        OrganizationRegistered(organization=hostile_organization(), source="self_registered"),
    )

    async def ngo_page() -> str:
        return (await client.get("/ngo")).text

    await wait_until(lambda: _contains(ngo_page(), "alert(6)"))
    tag_path = f"/tag/{quote(HOSTILE_TAG.lower(), safe='')}"
    pages = [
        "/",
        f"/posts/{post['slug']}",
        "/category/ngo-news",
        tag_path,
        "/search?q=гранты",
        "/grants",
        "/ngo",
    ]
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert executable_parts(response.text) == [], path
        assert "&lt;script&gt;alert(" in response.text or "&lt;svg" in response.text, path

    for path in ("/feed.rss", f"{tag_path}/feed.rss"):
        items = rss_items((await client.get(path)).content)
        assert items, path
        for item in items:
            for name in RSS_HTML_FIELDS:
                assert executable_parts(item.findtext(name) or "") == [], (path, name)
    for path in ("/feed.atom", f"{tag_path}/feed.atom", "/sitemap.xml"):
        ET.fromstring((await client.get(path)).content)  # well-formed, whatever the values
    [event] = Calendar.from_ical((await client.get("/grants.ics")).content).walk("VEVENT")
    assert str(event["summary"]) == f"Дедлайн: {HOSTILE}", ".ics is text, kept as typed"


async def _contains(text_coro, needle: str) -> bool:
    return needle in await text_coro


# ---------------------------------------------------------------- 2. limits on input


async def test_staff_inputs_past_their_limits_are_refused_not_crashed_on(client):
    cases = [
        ("get", "/api/v1/posts?offset=1234567890123456789012", None, "offset"),
        ("get", "/api/v1/posts?limit=100000", None, "limit"),
        ("get", "/api/v1/stats?from=2019-01-01&to=9999-12-31", None, "to"),
        ("get", "/api/v1/stats?from=0001-01-01&to=2019-12-31", None, "from"),
        ("get", "/api/v1/posts/" + "x" * 5000, None, "post_id"),
        ("post", "/api/v1/posts", {"title": "я" * 301, "category": "ngo-news"}, "title"),
        (
            "post",
            "/api/v1/posts",
            {"title": "Т", "category": "ngo-news", "body": "я" * 200_001},
            "body",
        ),
        (
            "post",
            "/api/v1/competitions",
            {"name": "К", "operator": "О", "closes_at": "0001-01-01T00:00:00+04:00"},
            "closes_at",
        ),
        (
            "post",
            "/api/v1/competitions",
            {"name": "К", "operator": "О", "closes_at": "2030-01-01T00:00:00+04:00",
             "max_amount": 10**30},
            "max_amount",
        ),
    ]  # fmt: skip
    for method, path, body, field in cases:
        response = await client.request(method, path, json=body)
        assert response.status_code == 422, (path, field, response.status_code)
        assert response.json()["error"]["field"] == field, (path, response.json())
    post = await make_post(client, publish=False)
    long_ago = await client.post(
        f"/api/v1/posts/{post['id']}/schedule", json={"publish_at": "0001-01-01T00:00:00+04:00"}
    )
    assert long_ago.status_code == 422 and long_ago.json()["error"]["field"] == "publish_at"


# ---------------------------------------------------------------- 4. public pages


ODD_PATHS = [
    "/search?q=%ff%fe%fd",
    "/search?q=%F0%9F%98",  # a cut UTF-8 sequence
    "/search?q=%00%00",
    "/search?q=a&page=99999999999999999999999",
    "/search?q=a&page=%ff",
    "/search?page=-1",
    "/tag/%ff%fe",
    "/tag/%00",
    "/tag/" + "я" * 10_000,
    "/tag/%00/feed.rss",
    "/posts/%ff%00",
    "/posts/" + "x" * 10_000,
    "/category/ngo-news?page=%00",
    "/category/%00/feed.atom",
    "/feed.%ff",
    "/2019/03/%ff%00.html",
    "/2019/03/" + "x" * 10_000 + ".html",
    "/" + "a/" * 3000,
]


async def test_public_pages_never_answer_500(client):
    await make_post(client, title="Гранты для НКО", tags=["город"])
    for path in ODD_PATHS:
        response = await client.get(path, headers={"User-Agent": "x" * 10_000})
        assert response.status_code < 500, (path[:60], response.status_code)
    found = await client.get("/search", params={"q": "гранты"})
    assert found.status_code == 200 and "Гранты для НКО" in found.text
    for q in ("я" * 101, "я" * 10_000, "%ff" * 3000):
        response = await client.get("/search", params={"q": q})
        assert response.status_code == 422 and response.json()["error"]["field"] == "q"
    assert (await client.get("/search", params={"q": "я" * 100})).status_code == 200


async def test_view_counting_is_limited_per_client_address(service):
    async with service(trusted_proxies=["127.0.0.1/32"]) as client:
        client.headers.update(staff_headers())
        post = await make_post(client, title="Накрутка просмотров")
        script = {"X-Forwarded-For": "203.0.113.7"}
        for n in range(NEW_VISITORS_PER_CLIENT_POST.count + 5):
            agent = f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{n}.0"
            page = await client.get(
                f"/posts/{post['slug']}", headers={**script, "User-Agent": agent}
            )
            assert page.status_code == 200 and "Накрутка просмотров" in page.text, "still served"
        limit = NEW_VISITORS_PER_CLIENT_POST.count
        [counted] = await views_of(client, [post["id"]], total=limit + 1, timeout=2)
        assert counted == limit
        reader = {"X-Forwarded-For": "198.51.100.20", "User-Agent": "Mozilla/5.0 Firefox/140.0"}
        await client.get(f"/posts/{post['slug']}", headers=reader)
        assert await views_of(client, [post["id"]], total=counted + 1) == [counted + 1], (
            "another address is counted"
        )


async def test_an_address_counts_a_bounded_number_of_views_an_hour(service, monkeypatch):
    monkeypatch.setattr(views, "VIEWS_PER_CLIENT", Limit("test-views-per-client", 3, 3600))
    async with service(trusted_proxies=["127.0.0.1/32"]) as client:
        client.headers.update(staff_headers())
        posts = [await make_post(client, title=f"Запись {n}") for n in range(5)]
        for post in posts:
            page = await client.get(
                f"/posts/{post['slug']}",
                headers={"X-Forwarded-For": "203.0.113.8", "User-Agent": "Mozilla/5.0"},
            )
            assert page.status_code == 200
        counted = await views_of(client, [p["id"] for p in posts], total=4, timeout=2)
    assert sorted(counted) == [0, 0, 1, 1, 1], "three views of five posts, one each"


# ---------------------------------------------------------------- 3. imports


async def test_an_oversize_upload_is_refused_while_it_is_read(client):
    """A chunked upload of 40 MB (no Content-Length): refused once past 20 MB, the rest is
    never read."""
    boundary = "nkohub-test-boundary"
    chunk = b"<" * (1024 * 1024)
    pulled = 0

    async def body():
        nonlocal pulled
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.xml"\r\nContent-Type: application/xml\r\n\r\n'
        ).encode()
        for _ in range(40):
            pulled += 1
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        "/api/v1/imports/blogger",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413 and response.json()["error"]["field"] == "file"
    assert pulled <= 21, f"{pulled} MB read"
    declared = await client.post(
        "/api/v1/imports/views",
        content=b"--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b", "Content-Length": "10" * 6},
    )
    assert declared.status_code == 413, "refused by the declared length, before any reading"


async def test_hostile_exports_are_refused_and_store_nothing(client):
    for data in (
        exports.billion_laughs("utf-8"),
        exports.billion_laughs("utf-16"),
        exports.declared_entity("utf-16"),
        exports.declared_entity("utf-8", comment=5000),
    ):
        response = await import_blogger(client, data)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "file"
        assert "DOCTYPE" in response.json()["error"]["message"]
    assert (await client.get("/api/v1/posts")).json()["total"] == 0
    huge_field = b"a,2019-03-28,1\n" + b'"' + b"x" * 200_000 + b'",2019-03-28,1\n'
    csv = await client.post("/api/v1/imports/views", files={"file": ("v.csv", huge_field)})
    assert csv.status_code == 422 and csv.json()["error"]["field"] == "file"


@pytest.mark.timeout(60)
async def test_an_export_is_parsed_while_the_service_keeps_answering(client, monkeypatch):
    """The parse waits until the test has had an answer from the service: were it run on
    the event loop, no answer could come, and the parse gives up (the import fails)."""
    started, answered = threading.Event(), threading.Event()
    parse = blogger.parse_blogger

    def parse_while_service_answers(data: bytes):
        started.set()
        if not answered.wait(timeout=10):
            raise AssertionError("the service could not answer while a file was parsed")
        return parse(data)

    monkeypatch.setattr(blogger, "parse_blogger", parse_while_service_answers)
    upload = asyncio.create_task(import_blogger(client, exports.export(exports.entry(1))))
    await wait_until(started.is_set)
    assert (await client.get("/health/live")).status_code == 200
    answered.set()
    response = await upload
    assert response.status_code == 200 and response.json()["created"] == 1
