"""The bus's tracing: without an exporter no spans are made, yet the trace a message
carries is the current one (log lines, AMQP headers and written envelopes keep its id)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace

from nkohub_shared import tracing
from nkohub_shared.logs import JsonFormatter
from tests.support.spans import PARENT, TRACE_ID, Collected, collecting


@pytest.fixture
def exported() -> Iterator[Collected]:
    """Spans of the bus, collected in memory (as with a collector configured)."""
    with collecting() as collected:
        tracing.bus_spans(True)
        yield collected
        tracing.bus_spans(False)


def _log_line() -> dict[str, object]:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "event handled", None, None)
    return json.loads(JsonFormatter("test").format(record))


def test_publishing_without_exporter_carries_the_entrys_trace() -> None:
    entry = {"id": "e-1", "type": "events.x", "traceparent": PARENT}
    with tracing.publishing(entry):
        assert tracing.message_headers(entry)["traceparent"] == PARENT
        line = _log_line()
        assert line["trace_id"] == TRACE_ID
        assert not trace.get_current_span().is_recording()
    assert not trace.get_current_span().get_span_context().is_valid


def test_consuming_without_exporter_continues_the_headers_trace() -> None:
    with tracing.consuming("q", {"traceparent": PARENT}):
        assert _log_line()["trace_id"] == TRACE_ID
        assert tracing.current_carrier()["traceparent"] == PARENT  # events written now
    assert "trace_id" not in _log_line()


def test_consuming_a_message_without_a_trace_has_none() -> None:
    with tracing.consuming("q", {}):
        assert "trace_id" not in _log_line()
        assert tracing.current_carrier() == {}


def test_an_exception_leaves_no_trace_current() -> None:
    with pytest.raises(RuntimeError), tracing.consuming("q", {"traceparent": PARENT}):
        raise RuntimeError("handler failed")
    assert not trace.get_current_span().get_span_context().is_valid


def test_with_an_exporter_the_bus_makes_child_spans(exported: Collected) -> None:
    entry = {"id": "e-1", "type": "events.x", "traceparent": PARENT}
    with tracing.publishing(entry):
        headers = tracing.message_headers(entry)
    with tracing.consuming("q", headers):
        assert _log_line()["trace_id"] == TRACE_ID
    publish, consume = exported.spans
    assert publish.name == "publish events.x"
    assert consume.name == "q process"
    assert {publish.context.trace_id, consume.context.trace_id} == {int(TRACE_ID, 16)}
    assert consume.parent is not None and consume.parent.span_id == publish.context.span_id
    assert headers["traceparent"] != PARENT  # the publish span's own id
