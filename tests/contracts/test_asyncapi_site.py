"""The platform's AsyncAPI document and its page are served at one address by the site:
Caddy with the platform's own ``deploy/caddy/Caddyfile``, in front of stand-in upstreams
(as ``tests/operations/test_site_routes.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nkohub_shared.asyncapi import ASYNCAPI_PAGE_PATH, ASYNCAPI_PATH
from tests.operations.site import echoing_site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def site(tmp_path):
    async with echoing_site(tmp_path) as client:
        yield client


async def test_the_site_serves_the_platform_asyncapi_document_and_its_page(site):
    answer = await site.get("/api/asyncapi.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["x-content-type-options"] == "nosniff"
    committed = json.loads((ROOT / ASYNCAPI_PATH).read_text(encoding="utf-8"))
    assert answer.json() == committed
    assert answer.json()["asyncapi"] == "3.0.0"

    page = await site.get("/api/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == "default-src 'none'"
    assert page.text == (ROOT / ASYNCAPI_PAGE_PATH).read_text(encoding="utf-8")
    assert '<a href="/api/asyncapi.json">' in page.text and "<script" not in page.text

    bare = await site.get("/api")
    assert bare.status_code == 308 and bare.headers["location"] == "/api/"
    # the services' own documents and APIs are where they were; other /api paths are not found
    assert (await site.get("/api/events/asyncapi.json")).text == "events GET /asyncapi.json"
    assert (await site.get("/api/events/v1/meetups")).text == "events GET /api/v1/meetups"
    for path in ("/api/v1/meetups", "/api/events.md", "/api/asyncapi.html", "/asyncapi.json"):
        missing = await site.get(path)
        assert missing.status_code == 404, path


async def test_compose_mounts_the_documents_where_its_caddy_looks(tmp_path):
    """Compose's Caddy runs elsewhere than the checkout: it reads NKOHUB_DOCS_ROOT, where
    docker-compose.yml mounts docs/ (read-only). The same Caddyfile with that variable set
    serves the files from there."""
    import yaml

    caddy = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"][
        "caddy"
    ]
    root = caddy["environment"]["NKOHUB_DOCS_ROOT"]
    assert f"./docs:{root}:ro" in caddy["volumes"]

    mounted = tmp_path / "mounted-docs"
    mounted.mkdir()
    (mounted / "asyncapi.json").write_text('{"asyncapi": "3.0.0", "mounted": true}')
    (mounted / "asyncapi.html").write_text("<!doctype html><title>mounted</title>")
    async with echoing_site(tmp_path, env={"NKOHUB_DOCS_ROOT": str(mounted)}) as client:
        assert (await client.get("/api/asyncapi.json")).json()["mounted"] is True
        assert "mounted" in (await client.get("/api/")).text
