"""Spans collected in memory, as a collector would receive them: ``with collecting() as
spans:`` puts a tracer of its own in ``nkohub_shared.tracing`` and restores the one before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from nkohub_shared import tracing

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
PARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"  # a caller's traceparent


class Collected(SpanExporter):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans):  # type: ignore[no-untyped-def]
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


@contextmanager
def collecting() -> Iterator[Collected]:
    spans = Collected()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    tracer = tracing._tracer
    tracing._tracer = provider.get_tracer("test")
    try:
        yield spans
    finally:
        tracing._tracer = tracer
