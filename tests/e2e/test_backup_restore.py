"""The 2019 demo, backed up with `nkohub backup`, restored with `nkohub restore` into fresh
databases of another prefix: the events service on the restored databases gives the same
practice report, figure for figure (the passport's six, and everything else it holds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pymongo import MongoClient

from nkohub_demo.season import PASSPORT
from nkohub_events.app import create_app
from nkohub_events.settings import EventsSettings
from tests.e2e.test_demo_season_2019 import run_demo
from tests.support.inprocess import running, staff_headers

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1500)]
YEAR = {"from": "2019-01-01", "to": "2019-12-31"}


def nkohub(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nkohub_shared.cli", *args],
        env={**os.environ, "NKOHUB_MONGODB_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )


async def test_the_2019_demo_restored_into_fresh_databases_gives_the_same_report(
    platform_factory, sandbox, tmp_path
):
    platform = platform_factory()
    demo = run_demo(platform, "--json")
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    before = json.loads(demo.stdout.strip().splitlines()[-1])
    assert {k: before["indicators"][k] for k in PASSPORT} == PASSPORT
    platform.stop()  # a platform at rest is backed up

    url = sandbox.servers.mongodb_url
    taken = nkohub("backup", str(tmp_path / "backups"), "--prefix", sandbox.prefix, url=url)
    assert taken.returncode == 0, taken.stderr
    folder = next((tmp_path / "backups").glob("nkohub-backup-*"))
    fresh = f"{sandbox.prefix}x"
    try:
        back = nkohub("restore", str(folder), "--prefix", fresh, url=url)
        assert back.returncode == 0, back.stderr
        settings = EventsSettings(**sandbox.settings("events", mongodb_database=f"{fresh}_events"))
        async with running(create_app(settings)) as events:
            answer = await events.get(
                "/api/v1/reports/practice", params=YEAR, headers=staff_headers()
            )
        assert answer.status_code == 200, answer.text
        after = answer.json()
        assert after["indicators"] == before["indicators"]
        shared = before.keys() & after.keys()  # the demo's JSON is the report's
        assert {k: after[k] for k in shared} == {k: before[k] for k in shared}
    finally:
        with MongoClient(url) as client:
            for name in client.list_database_names():
                if name.startswith(fresh + "_"):
                    client.drop_database(name)
