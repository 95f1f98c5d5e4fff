"""Debian's Prometheus (package ``prometheus``) run by a test on a free loopback port, with
the scrape settings of the Compose configuration (deploy/monitoring/prometheus.yml).

Compose finds the replicas by Docker's DNS (``dns_sd_configs``, one A record per replica);
here the same job gets static targets instead, each carrying the ``__meta_dns_name`` the
DNS discovery would have set, so the job's own ``relabel_configs`` make the ``service``
label exactly as under Compose. The rule files are the same too.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy/monitoring"
COMPOSE_CONFIG = MONITORING / "prometheus.yml"


def compose_config() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_CONFIG.read_text(encoding="utf-8"))


def static_config(targets: dict[str, list[str]], interval: str = "1s") -> dict[str, Any]:
    """The Compose configuration with ``targets`` (service → ``host:port`` of each replica)
    in place of Docker's DNS, scraping and evaluating every ``interval``."""
    config = copy.deepcopy(compose_config())
    config["global"]["scrape_interval"] = interval
    config["global"]["evaluation_interval"] = interval
    config["rule_files"] = [str(MONITORING / f) for f in config.get("rule_files", [])]
    for job in config["scrape_configs"]:
        names = [name for sd in job.pop("dns_sd_configs") for name in sd["names"]]
        missing = set(names) - set(targets)
        assert not missing, f"no targets for {sorted(missing)}"
        job["static_configs"] = [
            {"targets": targets[name], "labels": {"__meta_dns_name": name}} for name in names
        ]
    return config


class PrometheusServer:
    """``prometheus`` with a configuration and a data folder of its own under ``workdir``."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("no prometheus: apt-get install prometheus")
        self.port = free_port()
        self.workdir = workdir
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        self.log_path = workdir / "prometheus.log"
        self.command = [
            binary,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def start(self, timeout: float = 60.0) -> PrometheusServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log_path.read_text()[-3000:]}")
            try:
                if self.http.get("/-/ready").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"prometheus not ready: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        self.http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def api(self, path: str, **params: Any) -> Any:
        """``/api/v1/<path>``'s ``data``; an error answer (a query that does not parse)
        raises ``PromQLError``."""
        response = self.http.get(f"/api/v1/{path}", params=params)
        body = response.json()
        if body.get("status") != "success":
            raise PromQLError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's result (a vector's series; ``[]`` when nothing matches)."""
        data = self.api("query", query=expr)
        result = data["result"]
        return result if data["resultType"] == "vector" else [{"value": result}]

    def series(self, metric: str) -> list[dict[str, str]]:
        """The label sets of every series of ``metric`` seen in the last 10 minutes."""
        now = time.time()
        return self.api("series", **{"match[]": metric, "start": now - 600, "end": now})

    def alerts(self) -> list[dict[str, Any]]:
        return self.api("alerts")["alerts"]

    def rules(self) -> list[dict[str, Any]]:
        return [r for g in self.api("rules")["groups"] for r in g["rules"]]


class PromQLError(AssertionError):
    pass
