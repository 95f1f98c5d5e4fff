"""Compose and the local runner make the same site from the one Caddyfile template
(``deploy/caddy/Caddyfile``): adapted by Debian's ``caddy`` with the environment each of
them sets, the two configurations route the same paths to the same services; under
Compose each service's upstream is every container its name resolves to (Docker's DNS
returns one A record per replica: ``dynamic a``), so ``--scale`` needs no edit; and the
replicas override frees the fixed host port of every app service.

Static only: there is no Docker engine here, so Compose itself never ran these files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.processes import ROOT

CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
PLATFORM = ROOT / "deploy" / "local" / "platform.sh"
COMPOSE = ROOT / "docker-compose.yml"
REPLICAS = ROOT / "deploy" / "compose" / "replicas.yml"
PORTS = {"console": 8000, "registry": 8001, "events": 8002, "notifications": 8003}
PORTS["publishing"] = 8004

needs_caddy = pytest.mark.skipif(shutil.which("caddy") is None, reason="no caddy binary")


class _ComposeLoader(yaml.SafeLoader):
    """Compose's ``!reset`` tag."""


_ComposeLoader.add_constructor("!reset", lambda loader, node: ("reset", None))


def _compose() -> dict[str, Any]:
    return yaml.load(COMPOSE.read_text(encoding="utf-8"), Loader=_ComposeLoader)


def _app_services(compose: dict[str, Any]) -> set[str]:
    """The services built from the platform's Dockerfile (one per SERVICE build arg)."""
    return {
        name
        for name, service in compose["services"].items()
        if isinstance(service.get("build"), dict) and "SERVICE" in service["build"].get("args", {})
    }


def _compose_caddy_environment() -> dict[str, str]:
    """Caddy's environment under Compose, ``${VAR:-default}`` taken at its default (no .env)."""
    environment = _compose()["services"]["caddy"]["environment"]
    return {
        key: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
        for key, value in environment.items()
        if key.startswith("NKOHUB_")
    }


def _local_runner_environment(replicas: int) -> dict[str, str]:
    """What ``platform.sh`` hands Caddy with ``NKOHUB_REPLICAS=replicas``: its own
    ``upstreams`` and ``replica_port`` functions, run by bash."""
    script = PLATFORM.read_text(encoding="utf-8")
    functions = "\n".join(
        re.search(rf"^{name}\(\) {{.*?^}}", script, re.S | re.M).group(0)  # type: ignore[union-attr]
        for name in ("replica_port", "upstreams")
    )
    ports = re.search(r"^declare -A PORTS=.*?\)\)\)\n", script, re.S | re.M).group(0)  # type: ignore[union-attr]
    environment = {"NKOHUB_SITE_ADDRESS": "http://:8080"}
    for service in ("registry", "events", "notifications", "publishing"):
        line = subprocess.run(
            [
                "bash",
                "-c",
                f"PORT_BASE=8000\nREPLICAS={replicas}\n{ports}{functions}\nupstreams {service}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        environment[f"NKOHUB_UPSTREAMS_{service.upper()}"] = line
    # the console: one process on the port base (see proxy_up)
    assert 'NKOHUB_UPSTREAMS_CONSOLE="to 127.0.0.1:$PORT_BASE"' in script
    environment["NKOHUB_UPSTREAMS_CONSOLE"] = "to 127.0.0.1:8000"
    return environment


def _caddy(
    command: str, environment: dict[str, str], home: Path
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home)}
    env["XDG_CONFIG_HOME"] = str(home)
    return subprocess.run(
        ["caddy", command, "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _routes(config: dict[str, Any]) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """The site's routes in order: (paths matched, where they go, URI rewrites)."""
    (server,) = config["apps"]["http"]["servers"].values()
    table = []
    for route in server["routes"]:
        paths = tuple(p for m in route.get("match", []) for p in m.get("path", []))
        handlers = list(_handlers(route["handle"]))
        proxies = [h for h in handlers if h["handler"] == "reverse_proxy"]
        responses = [h for h in handlers if h["handler"] == "static_response"]
        if proxies:
            (proxy,) = proxies
            target = _service_of(proxy)
        elif responses:
            target = f"respond {responses[0].get('status_code')}"
        else:
            continue  # encode
        rewrites = tuple(
            f"{r['find']}→{r['replace']}"
            for h in handlers
            if h["handler"] == "rewrite"
            for r in h.get("uri_substring", [])
        )
        table.append((paths, target, rewrites))
    return table


def _handlers(handle: list[dict[str, Any]]):
    for handler in handle:
        if handler["handler"] == "subroute":
            for route in handler["routes"]:
                yield from _handlers(route["handle"])
        else:
            yield handler


def _service_of(proxy: dict[str, Any]) -> str:
    """The service a reverse proxy reaches: its DNS name (Compose) or, for the local
    runner, the service whose port its first replica listens on."""
    dynamic = proxy.get("dynamic_upstreams")
    if dynamic is not None:
        assert dynamic["source"] == "a"
        assert int(dynamic["port"]) == PORTS[dynamic["name"]]
        return dynamic["name"]
    ports = [int(u["dial"].rsplit(":", 1)[1]) for u in proxy["upstreams"]]
    (service,) = [name for name, port in PORTS.items() if port == ports[0]]
    return service


@needs_caddy
def test_compose_and_the_local_runner_route_the_same_paths_to_the_same_services(tmp_path):
    environment = _compose_caddy_environment()
    assert not any("${" in value for value in environment.values()), environment
    compose = _caddy("adapt", environment, tmp_path)
    assert compose.returncode == 0, compose.stderr
    local = _caddy("adapt", _local_runner_environment(replicas=2), tmp_path)
    assert local.returncode == 0, local.stderr
    compose_routes = _routes(json.loads(compose.stdout))
    assert compose_routes == _routes(json.loads(local.stdout))
    # and the table is the site's: every service has its door, the blog the rest
    targets = {target for _, target, _ in compose_routes}
    assert set(PORTS) | {"respond 404"} <= targets
    assert all(t in PORTS or t.startswith("respond ") for t in targets), targets
    paths = {path: target for route, target, _ in compose_routes for path in route}
    assert paths["/api/events/*"] == "events"
    assert paths["/meetups/*"] == "events"
    assert paths["/console/*"] == "console"
    assert paths["/subscribe"] == "notifications"
    assert paths["/organizations/join"] == "registry"
    assert paths["/metrics"] == "respond 404"
    assert compose_routes[-1] == ((), "publishing", ())


@needs_caddy
def test_the_local_runner_names_every_replica_and_compose_every_container(tmp_path):
    local = json.loads(_caddy("adapt", _local_runner_environment(replicas=3), tmp_path).stdout)
    dials = {
        _service_of(h): [u["dial"] for u in h["upstreams"]]
        for route in local["apps"]["http"]["servers"]["srv0"]["routes"]
        for h in _handlers(route["handle"])
        if h["handler"] == "reverse_proxy"
    }
    assert dials["events"] == ["127.0.0.1:8002", "127.0.0.1:8012", "127.0.0.1:8022"]
    assert dials["console"] == ["127.0.0.1:8000"]
    compose = json.loads(_caddy("adapt", _compose_caddy_environment(), tmp_path).stdout)
    for route in compose["apps"]["http"]["servers"]["srv0"]["routes"]:
        for handler in _handlers(route["handle"]):
            if handler["handler"] == "reverse_proxy":
                assert "upstreams" not in handler, "no fixed address under Compose"
                balancing = handler["load_balancing"]
                assert balancing["selection_policy"] == {"policy": "round_robin"}
                assert balancing["try_duration"] > 0, "a gone replica's request is retried"


@needs_caddy
def test_caddy_validates_the_compose_site_with_a_domain_and_on_plain_http(tmp_path):
    for address in ("nko.example.ru", ":80"):
        environment = {**_compose_caddy_environment(), "NKOHUB_SITE_ADDRESS": address}
        result = _caddy("validate", environment, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Valid configuration" in result.stdout + result.stderr


def test_every_app_service_is_behind_caddy_and_freed_by_the_replicas_override():
    compose = _compose()
    apps = _app_services(compose)
    assert apps == set(PORTS)
    caddy = compose["services"]["caddy"]["environment"]
    assert {k for k in caddy if k.startswith("NKOHUB_UPSTREAMS_")} == {
        f"NKOHUB_UPSTREAMS_{name.upper()}" for name in apps
    }
    used = set(re.findall(r"\{\$(NKOHUB_UPSTREAMS_[A-Z]+)", CADDYFILE.read_text(encoding="utf-8")))
    assert used == {f"NKOHUB_UPSTREAMS_{name.upper()}" for name in apps}
    platform = set(re.findall(r"(NKOHUB_UPSTREAMS_[A-Z]+)=", PLATFORM.read_text(encoding="utf-8")))
    assert platform == used
    override = yaml.load(REPLICAS.read_text(encoding="utf-8"), Loader=_ComposeLoader)
    assert {
        name for name, s in override["services"].items() if s["ports"] == ("reset", None)
    } == apps
    # the documented command scales every app service
    for text in (REPLICAS.read_text(encoding="utf-8"), COMPOSE.read_text(encoding="utf-8")):
        assert set(re.findall(r"--scale (\w+)=\d", text)) == apps
