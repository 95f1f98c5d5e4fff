"""The HTTP door's trace (``ServiceDoor`` with ``tracing.serving``): without an exporter
no span is made, yet the request runs in the caller's trace (or a new one) with a span id
of its own, so log lines and the events it writes carry the trace id; with an exporter a
server span named by the route template."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from nkohub_shared import tracing
from nkohub_shared.logs import JsonFormatter
from nkohub_shared.metrics import ServiceMetrics
from nkohub_shared.web.hardening import ServiceDoor
from tests.support.spans import CALLER_SPAN, PARENT, TRACE_ID, Collected, collecting


@pytest.fixture
def collected() -> Iterator[Collected]:
    """Whatever spans the door makes, collected in memory."""
    with collecting() as spans:
        yield spans
    tracing.http_spans(False)


def _app() -> FastAPI:
    # FastAPI's native spans off, as the services have them without an exporter (another
    # test in the process may have installed the SDK's tracer provider)
    inner = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})

    @inner.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, Any]:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "seen", None, None)
        line = json.loads(JsonFormatter("test").format(record))
        span = trace.get_current_span()
        return {
            "log_trace_id": line.get("trace_id"),
            "span_id": trace.format_span_id(span.get_span_context().span_id),
            "recording": span.is_recording(),
            "carrier": tracing.current_carrier(),
        }

    @inner.get("/broken")
    async def broken() -> None:
        raise RuntimeError("boom")

    inner.add_middleware(ServiceDoor, metrics=ServiceMetrics("test"), default_body_limit=1024)
    return inner


async def _get(path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, headers=headers or {})


async def test_without_exporter_the_request_runs_in_the_callers_trace_without_a_span(
    collected: Collected,
) -> None:
    answer = (await _get("/things/a", {"traceparent": PARENT})).json()
    assert answer["log_trace_id"] == TRACE_ID
    assert answer["span_id"] != CALLER_SPAN  # the request's own, as a server span's would be
    assert answer["recording"] is False
    _, trace_id, span_id, flags = answer["carrier"]["traceparent"].split("-")
    assert (trace_id, span_id, flags) == (TRACE_ID, answer["span_id"], "01")
    assert collected.spans == []
    assert not trace.get_current_span().get_span_context().is_valid  # detached after


async def test_without_exporter_a_request_without_traceparent_starts_a_trace(
    collected: Collected,
) -> None:
    first = (await _get("/things/a")).json()
    second = (await _get("/things/a")).json()
    assert len(first["log_trace_id"]) == 32 and int(first["log_trace_id"], 16) != 0
    assert first["log_trace_id"] != second["log_trace_id"]
    assert first["carrier"]["traceparent"].split("-")[1] == first["log_trace_id"]
    assert collected.spans == []


async def test_with_exporter_a_server_span_named_by_the_route(collected: Collected) -> None:
    tracing.http_spans(True)
    answer = (await _get("/things/a", {"traceparent": PARENT})).json()
    (span,) = collected.spans
    assert span.name == "GET /things/{thing_id}"
    assert span.kind is SpanKind.SERVER
    assert trace.format_trace_id(span.context.trace_id) == TRACE_ID
    assert span.parent is not None and trace.format_span_id(span.parent.span_id) == CALLER_SPAN
    assert trace.format_span_id(span.context.span_id) == answer["span_id"]
    assert answer["recording"] is True
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/things/{thing_id}"
    assert span.attributes["http.response.status_code"] == 200


async def test_with_exporter_a_failed_request_is_an_error_span(collected: Collected) -> None:
    tracing.http_spans(True)
    assert (await _get("/broken")).status_code == 500
    (span,) = collected.spans
    assert span.name == "GET /broken"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["http.response.status_code"] == 500
