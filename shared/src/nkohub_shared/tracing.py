"""Tracing with OpenTelemetry: one trace from an HTTP request to the consumers it causes.

- An HTTP request continues the caller's W3C ``traceparent`` or starts a trace
  (``serving``, in the HTTP door of ``nkohub_shared.web.hardening``).
- An event written in that request carries the trace as the CloudEvents
  distributed-tracing extension: ``traceparent`` (and ``tracestate``) attributes of the
  envelope in the outbox (``stamp``, called by ``storage.writer``).
- The relay publishes it inside a span continuing that trace, and the AMQP message
  carries the span's ``traceparent`` header (``publishing``, ``message_headers``).
- A consumer handles it inside a span continuing the header's (or the envelope's) trace
  (``consuming``); what it writes and logs belongs to the same trace.

Every log line carries the current trace id (``nkohub_shared.logs``). Spans are exported
only when ``NKOHUB_OTLP_ENDPOINT`` names an OTLP/HTTP collector (Jaeger, Tempo, an
OpenTelemetry Collector); otherwise ids are made and carried, and nothing is sent.

Without a collector neither HTTP requests nor the bus make spans (a span per publish and
per consume was about a sixth of the bus's time; the spans of a request — its server span
and FastAPI's native ones, turned off then too — about a quarter of a registration's CPU,
for spans nobody receives): ``publishing`` and ``consuming`` only make the trace the
message carries the current one (its ids, as a non-recording span), ``serving`` the
caller's trace or a new one, so log lines, the AMQP header and the envelopes a handler
writes still carry the trace id; a message's span id is then the producer's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import Scope

log = logging.getLogger("nkohub.tracing")

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
_FIELDS = {TRACEPARENT, TRACESTATE}
_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("nkohub")
_bus_spans = False  # the bus makes spans only when they are exported (configure_tracing)
_http_spans = False  # and so do HTTP requests
_RAW_FIELDS = {TRACEPARENT.encode(), TRACESTATE.encode()}
_IDS = RandomIdGenerator()
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)


def bus_spans(enabled: bool) -> None:
    """Whether ``publishing`` and ``consuming`` make spans (set by ``configure_tracing``:
    only when an exporter is configured; tests may turn them on)."""
    global _bus_spans
    _bus_spans = enabled


def http_spans(enabled: bool) -> None:
    """Whether HTTP requests make server spans (``serving``; set by ``configure_tracing``:
    only when an exporter is configured; tests may turn them on)."""
    global _http_spans
    _http_spans = enabled


def configure_tracing(service: str, replica: str, otlp_endpoint: str | None = None) -> None:
    """Install the process's tracer provider once (the first runtime of a process wins;
    a test process may hold several services, which then share it)."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    resource = Resource.create(
        {"service.name": f"nkohub-{service}", "service.instance.id": replica}
    )
    provider = TracerProvider(resource=resource)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        bus_spans(True)
        http_spans(True)
        log.info("exporting traces", extra={"otlp_endpoint": endpoint})
    trace.set_tracer_provider(provider)


def _context_of(carrier: Mapping[str, Any] | None) -> otel_context.Context | None:
    if not carrier:
        return None
    headers = {k.lower(): str(v) for k, v in carrier.items() if k.lower() in _FIELDS}
    return _PROPAGATOR.extract(headers) if headers.get(TRACEPARENT) else None


def current_carrier() -> dict[str, str]:
    """``{"traceparent": …[, "tracestate": …]}`` of the current span; empty outside one."""
    carrier: dict[str, str] = {}
    if trace.get_current_span().get_span_context().is_valid:
        _PROPAGATOR.inject(carrier)
    return carrier


def stamp(events: Sequence[Any]) -> None:
    """Give each envelope the current trace (CloudEvents distributed-tracing extension),
    unless it carries one already."""
    carrier = current_carrier()
    if not carrier:
        return
    for event in events:
        if getattr(event, TRACEPARENT, None) is None:
            for name, value in carrier.items():
                setattr(event, name, value)


def message_headers(entry: Mapping[str, Any]) -> dict[str, str]:
    """AMQP headers of an outbox entry: the current (publishing) span's trace, else the
    one the envelope carries (without bus spans, the relay's publish is in no span of its
    own: the envelope's trace, read without the propagator)."""
    carried = {k: str(entry[k]) for k in _FIELDS if entry.get(k)}
    if not _bus_spans and carried:
        return carried
    return current_carrier() or carried


@contextlib.contextmanager
def _carried(carrier: Mapping[str, Any] | None) -> Iterator[None]:
    """The trace ``carrier`` names made current without a span (nothing when it names
    none)."""
    context = _context_of(carrier)
    if context is None:
        yield
        return
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


@contextlib.contextmanager
def publishing(entry: Mapping[str, Any]) -> Iterator[None]:
    """The relay publishing one outbox entry, in the trace the entry carries."""
    if not _bus_spans:
        with _carried(entry):
            yield
        return
    with _tracer.start_as_current_span(
        f"publish {entry.get('type', 'event')}",
        context=_context_of(entry),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "rabbitmq", "cloudevents.event_id": entry.get("id", "")},
    ):
        yield


@contextlib.contextmanager
def consuming(queue: str, headers: Mapping[str, Any] | None) -> Iterator[None]:
    """A consumer handling one message, in the trace its headers carry."""
    if not _bus_spans:
        with _carried(headers):
            yield
        return
    with _tracer.start_as_current_span(
        f"{queue} process",
        context=_context_of(headers),
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "rabbitmq", "messaging.destination.name": queue},
    ):
        yield


@contextlib.contextmanager
def serving(scope: Scope) -> Iterator[Span | None]:
    """An HTTP request answered in the caller's trace (its ``traceparent``) or a new one.

    With an exporter: a server span (the caller names it when routing has found the route,
    ``named``). Without one: no span, only the request's trace ids made current (the
    caller's trace id, or a new one, and a span id of the request's own), as the bus does;
    log lines, the events the request writes and the ``traceparent`` carried onwards keep
    the trace id. Yields the span, or ``None``."""
    parent = _context_of(_trace_headers(scope["headers"]))
    if not _http_spans:
        token = otel_context.attach(trace.set_span_in_context(_request_span(parent), parent))
        try:
            yield None
        finally:
            otel_context.detach(token)
        return
    method = scope.get("method", "GET")
    with _tracer.start_as_current_span(
        f"{method} {scope.get('path', '')}",
        context=parent,
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method},
    ) as span:
        yield span


def named(span: Span | None, method: str, route: str | None, status: int) -> None:
    """A request's server span (if any) named by its route template, with its status."""
    if span is None:
        return
    if route:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def _trace_headers(headers: Sequence[tuple[bytes, bytes]]) -> dict[str, str] | None:
    found = None
    for key, value in headers:
        if key in _RAW_FIELDS:
            found = found or {}
            found[key.decode("latin-1")] = value.decode("latin-1")
    return found


def _request_span(parent: otel_context.Context | None) -> NonRecordingSpan:
    """The ids a server span would have had: the caller's trace (its flags and state) or
    a new sampled one, and a span id of its own."""
    caller = trace.get_current_span(parent).get_span_context() if parent is not None else None
    span_id = _IDS.generate_span_id()
    if caller is not None and caller.is_valid:
        ids = SpanContext(caller.trace_id, span_id, False, caller.trace_flags, caller.trace_state)
    else:
        ids = SpanContext(_IDS.generate_trace_id(), span_id, False, _SAMPLED)
    return NonRecordingSpan(ids)
