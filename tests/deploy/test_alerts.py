"""The alerting rules (deploy/monitoring/alerts.yml) behave as their unit tests say, and the
Compose Prometheus loads them: Debian's ``promtool`` (package ``prometheus``, installed by
``.ci/run``) checks the configuration and the rules and runs ``alerts.test.yml``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy/monitoring"
OVERRIDE = ROOT / "deploy/compose/monitoring.yml"

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="no promtool: apt-get install prometheus (Debian's package; .ci/run installs it)",
)


def promtool(*args: str) -> str:
    done = subprocess.run(
        ["promtool", *args], cwd=MONITORING, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_the_compose_prometheus_configuration_and_its_rules_are_valid() -> None:
    out = promtool("check", "config", "prometheus.yml")
    assert "1 rule files found" in out
    assert "SUCCESS: 8 rules found" in promtool("check", "rules", "alerts.yml")


def test_every_alert_behaves_as_its_unit_tests_say() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts.test.yml")


def test_every_alert_has_a_unit_test() -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    tests = yaml.safe_load((MONITORING / "alerts.test.yml").read_text(encoding="utf-8"))
    # an alert is tested when some case expects it to fire
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alerts == fired
    expected = {"NkohubReplicaDown", "NkohubServiceDown", "NkohubServiceNotScraped"}
    expected |= {"NkohubNotReady", "NkohubDeadLetters", "NkohubOutboxStuck"}
    expected |= {"NkohubServerErrors", "NkohubEmailsFailing"}
    assert alerts == expected


def test_compose_mounts_the_rules_where_the_configuration_looks_for_them() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text(encoding="utf-8"))
    prometheus = yaml.safe_load(OVERRIDE.read_text(encoding="utf-8"))["services"]["prometheus"]
    mounts = dict(v.rsplit(":", 2)[:2] for v in prometheus["volumes"] if v.startswith("./"))
    config_in_container = PurePosixPath(mounts["./deploy/monitoring/prometheus.yml"])
    assert "--config.file=" + str(config_in_container) in prometheus["command"]
    for rule_file in config["rule_files"]:
        assert mounts[f"./deploy/monitoring/{rule_file}"] == str(
            config_in_container.parent / rule_file
        )
        assert (MONITORING / rule_file).exists()
