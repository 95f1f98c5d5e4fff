"""Memory at rest: no service loads at start the libraries that only a rare route needs
(fpdf for the printouts, about 36 MiB resident; openpyxl for sheets, about 14 MiB) — they
are imported with the first printout or sheet. No servers: each app module is imported
in a fresh interpreter and ``sys.modules`` is read."""

from __future__ import annotations

import json
import subprocess
import sys

SERVICES = ("registry", "events", "notifications", "publishing", "console")
RARE = ("fpdf", "openpyxl")

PROBE = """
import importlib, json, sys
loaded = {}
for service in %r:
    importlib.import_module(f"nkohub_{service}.app")
    loaded[service] = sorted(m for m in %r if m in sys.modules)
print(json.dumps(loaded))
"""


def test_no_service_imports_fpdf_or_openpyxl_at_start():
    probe = PROBE % (SERVICES, RARE)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {service: [] for service in SERVICES}
