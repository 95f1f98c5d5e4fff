"""Migration of the Blogger blog (HTTP upload and CLI) and of historical view counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.publishing.conftest import BASE_URL, events_written
from tests.support.processes import ROOT

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "blogger-export.xml"
VIEWS = DATA / "views-history.csv"
FIRST = "pervyi-mitap-otkrytoe-obshchenie-v-biblioteke"
SECOND = "itogi-konkursa-fonda-prezidentskikh-grantov-rabota-nad-oshibkami"


async def upload(client, path: Path, kind: str) -> dict:
    response = await client.post(
        f"/api/v1/imports/{kind}", files={"file": (path.name, path.read_bytes())}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_blogger_import_is_complete_safe_and_idempotent(client, spy, sandbox):
    report = await upload(client, EXPORT, "blogger")
    assert report["entries"] == 6 and report["posts_found"] == 3
    assert report["created"] == 3 and report["drafts"] == 1 and report["already_imported"] == 0

    page = await client.get(f"/posts/{FIRST}")
    assert page.status_code == 200
    assert "учредительным документам" in page.text
    body = page.text.split('<div class="post-body">', 1)[1].split("</article>", 1)[0]
    assert "<script" not in body and "onclick" not in body and "onerror" not in body
    assert "javascript:" not in body
    assert "28 марта 2019" in page.text, "the original publication date is kept"
    assert 'href="/tag/%D0%BE%D1%82%D0%BA%D1%80%D1%8B%D1%82%D0%BE%D0%B5%20' in page.text

    old = await client.get("/2019/03/blog-post_28.html")
    assert old.status_code == 301 and old.headers["location"] == f"/posts/{FIRST}"
    assert (await client.get("/2019/06/blog-post.html")).headers["location"] == f"/posts/{SECOND}"
    assert (await client.get("/2019/01/unknown.html")).status_code == 404

    posts = (await client.get("/api/v1/posts", params={"status": "draft"})).json()["items"]
    assert [p["title"] for p in posts] == ["Черновик новогоднего поста"]
    second = (await client.get("/tag/гранты")).text
    assert "работа над ошибками" in second

    await spy.wait_for(lambda _: len(spy.of_type("publishing.post.published")) == 2)
    dates = sorted(e["data"]["published_at"] for e in spy.of_type("publishing.post.published"))
    assert datetime.fromisoformat(dates[0]) == datetime.fromisoformat("2019-03-28T18:45:00+04:00")

    again = await upload(client, EXPORT, "blogger")
    assert again["created"] == 0 and again["already_imported"] == 3
    published = await events_written(spy, sandbox, "publishing.post.published")
    assert len(published) == 2, "no second announcement"
    assert (await client.get("/api/v1/posts")).json()["total"] == 3


async def test_not_a_blogger_export_is_refused(client):
    for content in (b"<html>nope", b"<rss version='2.0'></rss>", b'<!DOCTYPE x [<!ENTITY a "b">]>'):
        response = await client.post("/api/v1/imports/blogger", files={"file": ("x.xml", content)})
        assert response.status_code == 422 and response.json()["error"]["field"] == "file"


async def test_an_empty_or_missing_file_is_a_422_naming_the_file(client):
    empty = await client.post("/api/v1/imports/views", files={"file": ("v.csv", b"")})
    missing = await client.post("/api/v1/imports/blogger", data={"title": "экспорт"})
    for response in (empty, missing):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "file"
        assert response.json()["error"]["code"] == "invalid"


async def test_historical_views_import_once_per_day(client, spy, sandbox):
    await upload(client, EXPORT, "blogger")
    report = await upload(client, VIEWS, "views")
    assert report["days_imported"] == ["2019-03-28", "2019-03-29", "2019-06-14"]
    assert report["views_imported"] == 33
    assert len(report["unknown_posts"]) == 1 and "no-such-post" in report["unknown_posts"][0]
    assert len(report["problems"]) == 1 and "line 7" in report["problems"][0]

    await spy.wait_for(lambda _: len(spy.of_type("publishing.views.counted")) == 3)
    by_start = {
        e["data"]["period_start"]: e["data"] for e in spy.of_type("publishing.views.counted")
    }
    march_29 = by_start["2019-03-29T00:00:00+04:00"]
    assert march_29["period_end"] == "2019-03-30T00:00:00+04:00"
    assert march_29["views"] == 11 and len(march_29["posts"]) == 2

    stats = await client.get("/api/v1/stats", params={"from": "2019-01-01", "to": "2019-12-31"})
    assert stats.json()["views"] == 33 and stats.json()["posts_published"] == 2

    again = await upload(client, VIEWS, "views")
    assert again["days_imported"] == [] and len(again["days_already_imported"]) == 3
    assert len(await events_written(spy, sandbox, "publishing.views.counted")) == 3


@pytest.mark.timeout(300)
def test_cli_imports_with_a_report(sandbox):
    env = {
        **os.environ,
        **sandbox.env("publishing", public_base_url=BASE_URL),
        "NO_COLOR": "1",
    }
    cli = [sys.executable, "-m", "nkohub_shared.cli", "publishing"]

    def run(*args: str) -> dict:
        done = subprocess.run(
            [*cli, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first = run("import-blogger", str(EXPORT))
    assert first["created"] == 3
    second = run("import-blogger", str(EXPORT))
    assert second["created"] == 0 and second["already_imported"] == 3
    views = run("import-views", str(VIEWS))
    assert views["views_imported"] == 33
    bad = subprocess.run(
        [*cli, "import-blogger", str(VIEWS)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "XML" in bad.stderr
