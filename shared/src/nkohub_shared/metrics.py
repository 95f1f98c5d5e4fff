"""Prometheus metrics of one service process, served at ``GET /metrics``.

Each runtime has its own registry (several runtimes may share a test process). Counters
and histograms move as requests and events happen; the gauges of the outbox and of the
dead-letter queues are read from MongoDB and RabbitMQ when Prometheus scrapes.

- ``nkohub_service_info{service}``: 1, naming the service;
- ``nkohub_http_requests_total{method,route,status}`` and
  ``nkohub_http_request_duration_seconds{method,route}``: ``route`` is the template
  (``/api/v1/meetups/{meetup_id}``), ``unmatched`` for a path no route has;
- ``nkohub_outbox_pending_events``, ``nkohub_outbox_oldest_pending_age_seconds``: events
  written and not yet confirmed by RabbitMQ, and the age of the oldest (0: none);
- ``nkohub_events_consumed_total{queue,type,outcome}``: ``handled``, ``duplicate``,
  ``retried``, ``dead_lettered``, ``waiting_for_infrastructure`` (one per retry while
  MongoDB is away); ``nkohub_event_handling_seconds{queue,type}``: successful handlings;
- ``nkohub_events_held_for_infrastructure{queue}``: messages held now, waiting for MongoDB;
- ``nkohub_dead_letter_messages{queue}``: depth of each dead-letter queue of the service.

A service adds its own: counters that move as things happen (``counter``: the events
service's ``nkohub_registrations_total{outcome}``) and gauges read from its store when
Prometheus scrapes (``gauge_read_at_scrape``: notifications'
``nkohub_notification_messages{status}``).

A gauge that could not be read (MongoDB or RabbitMQ away) is NaN until it can.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import Scope

from nkohub_shared.bus.delivery import Outcome

UNMATCHED_ROUTE = "unmatched"
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNKNOWN = math.nan

GaugeReader = Callable[[], Awaitable[Mapping[str, float]]]


class ServiceMetrics:
    """The metrics of one service; also the consumers' ``DeliveryObserver``."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        Gauge("nkohub_service_info", "The service", ["service"], registry=r).labels(service).set(1)
        self.http_requests = Counter(
            "nkohub_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "nkohub_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=r,
        )
        # label children by their labels (routes are templates: a bounded set)
        self._http_counted: dict[tuple[str, str, int], Any] = {}
        self._http_timed: dict[tuple[str, str], Any] = {}
        self.outbox_pending = Gauge(
            "nkohub_outbox_pending_events", "Events written, not yet published", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "nkohub_outbox_oldest_pending_age_seconds",
            "Age of the oldest event not yet published (0: none)",
            registry=r,
        )
        self.events_consumed = Counter(
            "nkohub_events_consumed",
            "Deliveries of events to this service's consumers, by outcome",
            ["queue", "type", "outcome"],
            registry=r,
        )
        self.event_handling = Histogram(
            "nkohub_event_handling_seconds",
            "Time a handler took to handle an event",
            ["queue", "type"],
            buckets=HANDLING_BUCKETS,
            registry=r,
        )
        self.events_held = Gauge(
            "nkohub_events_held_for_infrastructure",
            "Messages held unacknowledged while MongoDB is away",
            ["queue"],
            registry=r,
        )
        self.dead_letters = Gauge(
            "nkohub_dead_letter_messages",
            "Messages in each dead-letter queue of this service's consumers",
            ["queue"],
            registry=r,
        )

        self._scrape_gauges: list[tuple[Gauge, GaugeReader, set[str]]] = []

    def counter(self, name: str, documentation: str, labels: list[str]) -> Counter:
        """A counter of the service's own (exposed as ``<name>_total``)."""
        return Counter(name, documentation, labels, registry=self.registry)

    def gauge_read_at_scrape(
        self, name: str, documentation: str, label: str, reader: GaugeReader
    ) -> Gauge:
        """A gauge with one label whose values ``reader`` reads (from the service's store)
        each time Prometheus scrapes; a label the reader no longer returns drops to 0, and
        every value is NaN while the reader fails."""
        gauge = Gauge(name, documentation, [label], registry=self.registry)
        self._scrape_gauges.append((gauge, reader, set()))
        return gauge

    async def read_scrape_gauges(self, timeout: float) -> None:
        for gauge, reader, known in self._scrape_gauges:
            try:
                values = await asyncio.wait_for(reader(), timeout)
            except Exception:
                for value in known:
                    gauge.labels(value).set(UNKNOWN)
                continue
            for value in known:
                if value not in values:
                    gauge.labels(value).set(0)
            for value, number in values.items():
                gauge.labels(value).set(number)
                known.add(value)

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request answered (``route``: its template, ``route_template``). The
        label children are kept per (method, route, status): prometheus_client's
        ``labels()`` builds and looks up the key under a lock on every call."""
        key = (method, route, status)
        counted = self._http_counted.get(key)
        if counted is None:
            counted = self.http_requests.labels(method, route, str(status))
            self._http_counted[key] = counted
        counted.inc()
        timed = self._http_timed.get((method, route))
        if timed is None:
            timed = self._http_timed[(method, route)] = self.http_duration.labels(method, route)
        timed.observe(seconds)

    # DeliveryObserver
    def outcome(self, queue: str, event_type: str, outcome: Outcome) -> None:
        self.events_consumed.labels(queue, event_type, outcome.value).inc()

    def handling_time(self, queue: str, event_type: str, seconds: float) -> None:
        self.event_handling.labels(queue, event_type).observe(seconds)

    def holding(self, queue: str, change: int) -> None:
        self.events_held.labels(queue).inc(change)

    def set_outbox(self, pending: float, oldest_age_seconds: float) -> None:
        self.outbox_pending.set(pending)
        self.outbox_oldest_age.set(oldest_age_seconds)

    def set_dead_letters(self, depths: Mapping[str, int]) -> None:
        for queue, depth in depths.items():
            self.dead_letters.labels(queue).set(depth if depth >= 0 else UNKNOWN)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The template of the route that answered, never the raw path (bounded cardinality).

    FastAPI 0.165 keeps included routers whole: ``scope["route"]`` is then the route as
    declared in its router (``/meetups/{meetup_id}``, without the router's ``/api/v1``
    prefix), and the full template is on the effective route context FastAPI records in
    ``scope["fastapi"]``. A mounted app (static files) records only its ``root_path``; a
    plain Starlette route (``/openapi.json``) only its ``endpoint``."""
    fastapi_scope = scope.get("fastapi")
    if isinstance(fastapi_scope, dict):
        effective = fastapi_scope.get("effective_route_context")
        template = getattr(effective, "path_format", None)
        if isinstance(template, str) and template:
            return template
    mount = _mount_prefix(scope)
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str) and template:
        return mount + template
    endpoint = scope.get("endpoint")
    if endpoint is None:
        return UNMATCHED_ROUTE
    if mount:
        return mount + "/{path}"
    for candidate in getattr(scope.get("app"), "routes", ()):
        if getattr(candidate, "endpoint", None) is endpoint:
            return str(getattr(candidate, "path_format", None) or UNMATCHED_ROUTE)
    return UNMATCHED_ROUTE


def _mount_prefix(scope: Scope) -> str:
    """The path of the mount that took the request (``/console/static``), or ``""``:
    Starlette's ``Mount`` extends ``root_path`` and keeps the original as ``app_root_path``."""
    root = str(scope.get("root_path", ""))
    original = str(scope.get("app_root_path", root))
    return root[len(original) :] if root.startswith(original) else ""
