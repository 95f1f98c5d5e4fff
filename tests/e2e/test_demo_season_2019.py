"""`nkohub demo season-2019` on the whole platform (four processes, real servers): the
practice report computed from the records it leaves equals the passport's six figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from nkohub_demo.season import PASSPORT
from tests.support.inprocess import staff_headers
from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY

# The demo itself may take up to 900 s on a loaded machine (its subprocess timeout); the
# suite-wide 300 s would cut it first.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]


def run_demo(platform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "nkohub_shared.cli",
            "demo",
            "season-2019",
            "--registry",
            platform.url("registry"),
            "--events",
            platform.url("events"),
            "--publishing",
            platform.url("publishing"),
            *args,
        ],
        env={**os.environ, "NKOHUB_STAFF_TOKEN_PRIVATE_KEY": STAFF_TOKEN_PRIVATE_KEY},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_demo_reproduces_the_passport_figures_and_refuses_foreign_data(platform_factory):
    platform = platform_factory()
    result = run_demo(platform, "--json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: report["indicators"][k] for k in PASSPORT} == PASSPORT
    assert report["indicators"]["other_meetings_held"] == 1  # the unscheduled 14.06

    # the season's own data: it runs again and changes nothing (the system's own figures,
    # not the passport's column the table prints beside them)
    again = run_demo(platform, "--json")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    rerun = json.loads(again.stdout.strip().splitlines()[-1])
    assert rerun["indicators"] == report["indicators"]
    table = run_demo(platform)  # the table a person reads: no line saying it differs
    assert table.returncode == 0, table.stdout[-3000:] + table.stderr[-3000:]
    assert "differs from the passport" not in table.stdout

    foreign = {
        "full_name": "АНО «Чужая»",
        "legal_form": "ano",
        "ogrn": "1021800001002",
        "city": "Глазов",
    }
    created = httpx.post(
        f"{platform.url('registry')}/api/v1/organizations", json=foreign, headers=staff_headers()
    )
    assert created.status_code == 201, created.text
    refused = run_demo(platform)
    assert refused.returncode == 3
    assert "already holds other data" in refused.stdout
