"""Tracing with OpenTelemetry: one trace from an HTTP request to the consumers it causes.

- An HTTP request continues the caller's W3C ``traceparent`` or starts a trace
  (``TracingMiddleware``, installed by ``nkohub_shared.web.app``).
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

Without a collector the bus makes no spans at all (a span per publish and per consume was
about a sixth of the bus's time, for spans nobody receives): ``publishing`` and
``consuming`` only make the trace the message carries the current one (its ids, as a
non-recording span), so log lines, the AMQP header and the envelopes a handler writes
still carry the trace id; the span id is then the producer's.
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
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("nkohub.tracing")

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
_FIELDS = {TRACEPARENT, TRACESTATE}
_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("nkohub")
_bus_spans = False  # the bus makes spans only when they are exported (configure_tracing)


def bus_spans(enabled: bool) -> None:
    """Whether ``publishing`` and ``consuming`` make spans (set by ``configure_tracing``:
    only when an exporter is configured; tests may turn them on)."""
    global _bus_spans
    _bus_spans = enabled


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


class TracingMiddleware:
    """A server span per HTTP request, continuing the caller's ``traceparent``; named by
    the route template once routing has found it (``GET /api/v1/meetups/{meetup_id}``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope.get("method", "GET")
        status = 500
        with _tracer.start_as_current_span(
            f"{method} {scope.get('path', '')}",
            context=_context_of(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        ) as span:

            async def send_traced(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None)
                if template:
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
