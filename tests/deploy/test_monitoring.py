"""The Compose monitoring override: Prometheus finds every replica of every service, and
Grafana's dashboard asks only for metrics the services really expose. Checked statically
here (there is no Docker engine where this was built, so the override itself has never
run); the dashboard's queries and the alerting rules run against a real Prometheus in
test_prometheus_live.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from nkohub_shared.metrics import ServiceMetrics

ROOT = Path(__file__).resolve().parents[2]
OVERRIDE = ROOT / "deploy/compose/monitoring.yml"
PROMETHEUS = ROOT / "deploy/monitoring/prometheus.yml"
DASHBOARD = ROOT / "deploy/monitoring/grafana/dashboards/nkohub.json"
PROVISIONING = ROOT / "deploy/monitoring/grafana/provisioning"
SERVICE_PORTS = {"registry": 8001, "events": 8002, "notifications": 8003, "publishing": 8004}
SERVICE_PORTS["console"] = 8000


@pytest.fixture(scope="module")
def override() -> dict[str, Any]:
    return yaml.safe_load(OVERRIDE.read_text(encoding="utf-8"))


def _compose_ports() -> dict[str, int]:
    """Each app service's container port, as docker-compose.yml publishes it."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    ports = {}
    for name in SERVICE_PORTS:
        published = services["services"][name].get("ports") or []
        ports[name] = int(str(published[0]).rsplit(":", 1)[1])
    return ports


def test_prometheus_scrapes_every_service_by_dns_at_its_port() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    found = {c["names"][0]: c["port"] for c in job["dns_sd_configs"]}
    assert all(c["type"] == "A" for c in job["dns_sd_configs"])  # one record per replica
    assert found == _compose_ports() == SERVICE_PORTS


def test_monitoring_runs_only_in_its_profile_on_loopback_with_a_password(
    override: dict[str, Any],
) -> None:
    services = override["services"]
    assert set(services) == {"prometheus", "grafana"}
    for service in services.values():
        assert service["profiles"] == ["monitoring"]
        assert all(str(p).startswith("127.0.0.1:") for p in service["ports"])
    env = services["grafana"]["environment"]
    assert env["GF_SECURITY_ADMIN_PASSWORD"].startswith("${NKOHUB_GRAFANA_ADMIN_PASSWORD:?")
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    mounts = [v.split(":")[0] for s in services.values() for v in s["volumes"]]
    for mount in (m for m in mounts if m.startswith("./")):
        assert (ROOT / mount).exists(), mount


def test_grafana_is_provisioned_with_the_dashboard() -> None:
    datasource = yaml.safe_load((PROVISIONING / "datasources/prometheus.yml").read_text())
    (source,) = datasource["datasources"]
    assert source["url"] == "http://prometheus:9090"
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    uids = {t["datasource"]["uid"] for p in dashboard["panels"] for t in p["targets"]}
    assert uids == {source["uid"]}


def _exposed_names() -> set[str]:
    """Every sample name one service's /metrics can carry (labels filled once each)."""
    metrics = ServiceMetrics("events")
    metrics.http_requests.labels("GET", "/", "200").inc()
    metrics.http_duration.labels("GET", "/").observe(0.1)
    metrics.events_consumed.labels("q", "t", "ok").inc()
    metrics.event_handling.labels("q", "t").observe(0.1)
    metrics.events_held.labels("q").set(0)
    metrics.dead_letters.labels("q").set(0)
    text = metrics.exposition().decode()
    shared = {s.name for f in text_string_to_metric_families(text) for s in f.samples}
    return shared | _declared_by_services()


def _declared_by_services() -> set[str]:
    """The services' own metrics (``ServiceMetrics.counter`` / ``gauge_read_at_scrape``),
    read from their wiring; the live Prometheus test scrapes them for real."""
    names: set[str] = set()
    for source in (ROOT / "services").glob("*/src/*/**/*.py"):
        text = source.read_text(encoding="utf-8")
        for kind, name in re.findall(
            r"\.(counter|gauge_read_at_scrape)\(\s*\"(nkohub_\w+)\"", text
        ):
            names.add(f"{name}_total" if kind == "counter" else name)
    return names


def test_every_metric_the_dashboard_asks_for_is_exposed() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bnkohub_[a-z_]+", target["expr"])
    }
    exposed = _exposed_names()
    assert asked, "the dashboard asks for no nkohub metric"
    assert sorted(asked - exposed) == []
    covered = {re.sub(r"_(total|bucket)$", "", n) for n in asked}
    assert {"nkohub_http_requests", "nkohub_outbox_pending_events"} <= covered
    assert {"nkohub_events_consumed", "nkohub_dead_letter_messages"} <= covered
