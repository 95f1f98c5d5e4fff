"""The dashboard and the alerting rules against a real Prometheus scraping the running
platform: Debian's ``prometheus`` (2.42; Compose runs the official image) with the Compose
scrape settings and rules (tests/deploy/prometheus_server.py), the services as processes
(two replicas of events, the console too), a little traffic — a page, a registration, the
events it causes consumed, a poison message dead-lettered — and then every expression of
every panel of deploy/monitoring/grafana/dashboards/nkohub.json through ``/api/v1/query``.

Grafana itself never runs here (it is in no registry this project can reach): what it
would send Prometheus is each panel's ``expr``, and that is what is evaluated.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
import yaml
from prometheus_client import metrics as client_metrics

from nkohub_demo.numbers import inn10, ogrn
from nkohub_shared.bus.topology import dead_letter_queue_name
from nkohub_shared.metrics import ServiceMetrics
from tests.deploy.prometheus_server import PrometheusServer, compose_config, static_config
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.isolation import Sandbox
from tests.support.notifications_smtp import SmtpRecorder
from tests.support.platform import Platform
from tests.support.processes import ServiceProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        shutil.which("prometheus") is None,
        reason="no prometheus: apt-get install prometheus (Debian's package; .ci/run does)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/monitoring/grafana/dashboards/nkohub.json"
ALERTS = ROOT / "deploy/monitoring/alerts.yml"
STAFF = staff_headers()
POISONED_QUEUE = "notifications.alerts"

# Panels that may rightly show nothing after a healthy run, and why. Every other panel
# must return series.
MAY_BE_EMPTY = {
    "Server errors (5xx) per second, by route": "no request failed (a 503 of /health/ready "
    "while a replica starts may or may not have been scraped)",
    "Messages held while MongoDB is away": "MongoDB never went away: the gauge of a queue "
    "appears once a message of it was held",
    "E-mails failed for good, per hour": "every e-mail went out: the counter of "
    "notifications.message.failed appears with the first failure",
}
# Grafana's own variables, as Grafana would fill them in before sending the query.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def panel_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL as Grafana sends it) for every target of every panel."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            assert "$" not in expr, f"{panel['title']}: a variable no dashboard defines: {expr}"
            queries.append((panel["title"], expr))
    return queries


METRIC = re.compile(r"\b(nkohub_[a-z0-9_]+|up)\b\s*(?=[{\[)])")
BY = re.compile(r"\bby\s*\(([^)]*)\)")
MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*\"")


def asked(expr: str) -> tuple[set[str], set[str]]:
    """The metrics an expression reads and the labels it groups or filters by."""
    metrics = set(METRIC.findall(expr))
    labels = {label.strip() for group in BY.findall(expr) for label in group.split(",")}
    labels |= set(MATCHER.findall(expr))
    return metrics, labels - {""}


def declared_labels() -> dict[str, set[str]]:
    """The label names each metric family of a service is declared with (the families
    that may have no series yet, e.g. ``nkohub_events_held_for_infrastructure``)."""
    metrics = ServiceMetrics("any")
    found: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if isinstance(value, client_metrics.MetricWrapperBase):
            found[value._name] = set(value._labelnames)
    return found


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture
def platform(sandbox: Sandbox, smtp: SmtpRecorder, tmp_path: Path) -> Iterator[Platform]:
    """The four services and the console, plus a second replica of events."""
    running = Platform(sandbox, tmp_path, smtp, with_console=True)
    try:
        running.start()
        first = running.processes["events"]
        second = ServiceProcess(
            "nkohub_events",
            {**first.env, "NKOHUB_REPLICA": "events-2"},
            log_path=tmp_path / "events-2.log",
        )
        running.replica_processes["events"].append(second)
        second.start(wait=True, timeout=90)
        yield running
    finally:
        running.stop()


@pytest.fixture
def prometheus(platform: Platform, tmp_path: Path) -> Iterator[PrometheusServer]:
    targets = {
        service: [p.url.removeprefix("http://") for p in group]
        for service, group in platform.replica_processes.items()
    }
    targets["console"] = [platform.processes["console"].url.removeprefix("http://")]
    workdir = tmp_path / "prometheus"
    workdir.mkdir()
    server = PrometheusServer(static_config(targets), workdir).start()
    yield server
    server.stop()


async def drive_traffic(platform: Platform, smtp: SmtpRecorder) -> str:
    """A page, an NGO, a meetup, a registration (its confirmation mailed: events consumed
    across services). Returns the registrant's address."""
    registry, events = platform.api("registry"), platform.api("events")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    async with httpx.AsyncClient(timeout=60) as http:
        rng = random.Random(14)
        organization = {"full_name": "АНО «Мониторинг»", "legal_form": "ano", "city": "Глазов"}
        organization |= {"ogrn": ogrn(rng, year=2015), "inn": inn10(rng)}
        created = await http.post(f"{registry}/v1/organizations", json=organization, headers=STAFF)
        assert created.status_code == 201, created.text
        meetup = await http.post(
            f"{events}/v1/meetups",
            json={
                "title": "Проверка мониторинга",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов"},
                "capacity": 10,
            },
            headers=STAFF,
        )
        assert meetup.status_code == 201, meetup.text
        mid = meetup.json()["meetup_id"]
        published = await http.post(f"{events}/v1/meetups/{mid}/publish", headers=STAFF)
        assert published.status_code == 200, published.text
        page = await http.get(f"{platform.pages('events')}/meetups/{mid}")
        assert page.status_code == 200
        blog = await http.get(f"{platform.pages('publishing')}/")
        assert blog.status_code == 200
        registered = await http.post(
            f"{events}/v1/meetups/{mid}/registrations",
            json={
                "name": "Ирина Смотрящая",
                "email": "watcher@example.org",
                "role": "activist",
                "consent_personal_data": True,
            },
        )
        assert registered.status_code == 201, registered.text
        assert registered.json()["status"] == "confirmed"
    await smtp.wait_for(lambda _: bool(smtp.to("watcher@example.org")), timeout=60)
    return "watcher@example.org"


async def poison(sandbox: Sandbox) -> None:
    """One message no handler can read, straight into a notifications queue."""
    connection = await aio_pika.connect(sandbox.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(
            aio_pika.Message(b"not an event", message_id="poison-1", delivery_mode=2),
            routing_key=POISONED_QUEUE,
        )


async def test_every_panel_and_alert_rule_works_on_real_prometheus_scraping_the_platform(
    platform: Platform, prometheus: PrometheusServer, smtp: SmtpRecorder, sandbox: Sandbox
) -> None:
    # Every replica is a target, labelled by the Compose job's own relabelling.
    services = {
        name
        for sd in compose_config()["scrape_configs"][0]["dns_sd_configs"]
        for name in sd["names"]
    }

    def up_by_service() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for s in prometheus.query('up{job="nkohub"} == 1'):
            found.setdefault(s["metric"]["service"], []).append(s["metric"]["instance"])
        return found

    replicas = {"registry": 1, "events": 2, "notifications": 1, "publishing": 1, "console": 1}
    assert set(replicas) == services

    def all_up() -> bool:
        return {s: len(i) for s, i in up_by_service().items()} == replicas

    try:
        await wait_until(all_up, timeout=60, every=0.5)
    except TimeoutError:
        pytest.fail(f"targets up: {up_by_service()}")

    await drive_traffic(platform, smtp)
    await poison(sandbox)
    dead_letters = dead_letter_queue_name(POISONED_QUEUE)

    queries = panel_queries()
    assert len(queries) >= 10 and set(MAY_BE_EMPTY) <= {title for title, _ in queries}

    def all_with_data() -> bool:
        return all(prometheus.query(q) for t, q in queries if t not in MAY_BE_EMPTY) and bool(
            prometheus.query(f'nkohub_dead_letter_messages{{queue="{dead_letters}"}} > 0')
        )

    try:
        await wait_until(all_with_data, timeout=120, every=1)
    except TimeoutError:
        empty = [t for t, q in queries if t not in MAY_BE_EMPTY and not prometheus.query(q)]
        pytest.fail(f"panels without data after the traffic: {empty}")

    # Each panel's expression parses and reads only metrics and labels that exist.
    declared = declared_labels()
    target_labels = {"job", "instance", "service"}
    for title, expr in queries:
        prometheus.query(expr)  # raises on a parse or evaluation error
        metrics, labels = asked(expr)
        assert metrics, f"{title}: reads no metric"
        for metric in metrics:
            series = prometheus.series(metric)
            if series:
                present = set().union(*(s.keys() for s in series))
            else:
                assert title in MAY_BE_EMPTY, f"{title}: {metric} has no series"
                family = re.sub(r"_(total|bucket|count|sum)$", "", metric)
                assert family in declared, f"{title}: no service declares {metric}"
                exposed = httpx.get(f"{platform.url('events')}/metrics").text
                assert f"# TYPE {metric} " in exposed, f"{title}: {metric} is not exposed"
                present = (
                    declared[family]
                    | target_labels
                    | ({"le"} if metric.endswith("_bucket") else set())
                )
            missing = labels - present
            assert not missing, f"{title}: {metric} has no label {sorted(missing)}"

    # What the panels show is what happened.
    consumed = prometheus.query(
        'sum by (service, type) (nkohub_events_consumed_total{outcome="handled"})'
    )
    handled = {(s["metric"]["service"], s["metric"]["type"]) for s in consumed}
    assert ("notifications", "events.registration.confirmed") in handled
    assert ("events", "registry.organization.registered") in handled
    routes = prometheus.query(
        'sum by (service, route, status) (nkohub_http_requests_total{method="POST"})'
    )
    assert {
        "service": "events",
        "route": "/api/v1/meetups/{meetup_id}/registrations",
        "status": "201",
    } in [s["metric"] for s in routes]

    # The rules load and evaluate without error; the dead letter raises its alert.
    def evaluated() -> list[dict[str, Any]]:
        rules = prometheus.rules()
        return rules if all(r["health"] != "unknown" for r in rules) else []

    rules = await wait_until(evaluated, timeout=30, every=0.5)
    assert {r["name"] for r in rules} == {
        r["alert"] for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]
    }
    assert [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"] == []

    def alert(name: str, **labels: str) -> dict[str, Any] | None:
        for a in prometheus.alerts():
            if a["labels"]["alertname"] == name and labels.items() <= a["labels"].items():
                return a
        return None

    raised = await wait_until(
        lambda: alert("NkohubDeadLetters", service="notifications", queue=dead_letters),
        timeout=60,
        every=0.5,
    )
    assert raised["state"] in {"pending", "firing"}
    assert float(raised["value"]) == 1.0

    # A replica that stops answering: ReplicaDown names it, the service stays up.
    second = platform.replica_processes["events"][1]
    instance = second.url.removeprefix("http://")
    second.kill()
    down = await wait_until(
        lambda: alert("NkohubReplicaDown", service="events", instance=instance),
        timeout=60,
        every=0.5,
    )
    assert down["state"] == "pending"  # for 2 minutes before it fires
    assert alert("NkohubServiceDown", service="events") is None
    assert (
        prometheus.query('sum by (service) (up{job="nkohub", service="events"})')[0]["value"][1]
        == "1"
    )
