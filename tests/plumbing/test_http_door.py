"""The HTTP door every service shares: body limits before anything else, security headers,
405s that name every allowed method, and an OpenAPI document that says what is answered."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from nkohub_shared.web.errors import install_error_handlers
from nkohub_shared.web.paging import Offset, Page
from tests.support.inprocess import running, staff_headers
from tests.support.probe_service import ProbeSettings, build_app


@pytest.fixture
def probe_app(sandbox, monkeypatch):
    def make(**overrides):
        monkeypatch.setenv("PROBE_ROLE", "producer")
        return build_app(ProbeSettings(**sandbox.settings("probe_producer", **overrides)))

    return make


async def test_an_oversize_body_is_refused_before_the_token_is_looked_at(probe_app):
    async with running(probe_app(max_body_bytes=64 * 1024)) as client:
        big = b'{"keys": ["' + b"k" * 100_000 + b'"]}'
        declared = await client.post("/staff-only", content=big)  # no token at all
        assert declared.status_code == 413
        assert declared.json()["error"] == {
            "code": "too_large",
            "message": "тело запроса больше 65536 байт",
            "field": "body",
        }

        async def chunks():  # no Content-Length: counted while it arrives
            for _ in range(20):
                yield b"x" * 8192

        streamed = await client.post(
            "/probes", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        small = await client.post("/staff-only", json={"keys": ["a"]}, headers=staff_headers())
        assert small.status_code == 200 and small.json() == {"keys": 1}


async def test_pages_carry_security_headers_and_every_answer_nosniff(probe_app):
    async with running(probe_app()) as client:
        page = await client.get("/page")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert (
            "'unsafe-inline'"
            not in page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["x-frame-options"] == "DENY"
        api = await client.get("/health/live")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in api.headers


async def test_a_405_names_every_method_of_the_path(probe_app):
    async with running(probe_app()) as client:
        refused = await client.delete("/staff-only")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD, POST"
        assert refused.json()["error"]["code"] == "method_not_allowed"


async def test_the_openapi_document_says_what_is_answered(probe_app):
    async with running(probe_app()) as client:
        schema = (await client.get("/openapi.json")).json()
        staff = schema["paths"]["/staff-only"]["get"]
        assert {"401", "403", "429"} <= set(staff["responses"])
        assert staff["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
        assert staff["security"] == [{"HTTPBearer": []}]
        maybe = schema["paths"]["/maybe-staff"]["get"]
        assert maybe["security"] == [{}, {"HTTPBearer": []}], "the public may call it too"
        assert (await client.get("/maybe-staff")).json() == {"staff": False}
        assert (await client.get("/docs")).status_code == 404, "Swagger UI is off by default"


async def test_swagger_ui_is_served_when_an_operator_turns_it_on(probe_app):
    async with running(probe_app(api_docs=True)) as client:
        docs = await client.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert "content-security-policy" not in docs.headers


def test_the_limit_setting_is_bounded():
    with pytest.raises(ValueError, match="max_body_bytes"):
        ProbeSettings(
            mongodb_url="mongodb://x",
            amqp_url="amqp://x",
            max_body_bytes=10,
            _env_file=None,
        )


async def test_a_405_names_the_methods_of_the_most_specific_path(probe_app):
    async with running(probe_app()) as client:
        # /probes/{key} answers GET; /probes itself only POST
        refused = await client.put("/probes")
        assert refused.status_code == 405 and refused.headers["allow"] == "POST"
        assert (await client.put("/probes/k1")).headers["allow"] == "GET, HEAD"
        # /probes/batch (POST) also matches /probes/{key} (GET): the literal path wins
        assert (await client.put("/probes/batch")).headers["allow"] == "POST"


async def test_paging_beyond_its_bound_is_a_422_not_a_500():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/items")
    async def items(page: Page = 1, offset: Offset = 0) -> dict[str, int]:
        return {"page": page, "offset": offset}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for query in ("page=181701422488430607073280000", "offset=130028916394546729358196736"):
            refused = await client.get(f"/items?{query}")
            assert refused.status_code == 422, query
            assert refused.json()["error"]["field"] == query.split("=")[0]
        assert (await client.get("/items?page=2")).json() == {"page": 2, "offset": 0}
