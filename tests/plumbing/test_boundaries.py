"""The rooms and the walls between them hold in the code (read with ``ast``, no servers)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.boundaries import violations

ROOT = Path(__file__).resolve().parents[2]


def test_the_code_keeps_to_its_rooms_and_walls():
    found = violations(ROOT)
    assert not found, "\n".join(found)


def _copy(tmp_path: Path) -> Path:
    for part in ("services", "shared/src"):
        shutil.copytree(
            ROOT / part,
            tmp_path / part,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static", "templates"),
        )
    return tmp_path


def _plant(root: Path, relative: str, code: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")


def test_each_rule_fails_on_a_planted_violation(tmp_path):
    root = _copy(tmp_path)
    registry = "services/registry/src/nkohub_registry"
    events = "services/events/src/nkohub_events"
    plants = {
        f"{registry}/domain/planted_infra.py": "import pymongo\n",
        f"{registry}/domain/planted_web.py": "from nkohub_shared.web.auth import StaffUser\n",
        f"{registry}/domain/planted_room.py": "from nkohub_registry.repository import x\n",
        f"{registry}/planted_neighbour.py": "from nkohub_events.domain import meetups\n",
        "shared/src/nkohub_shared/planted.py": "import nkohub_registry\n",
        f"{events}/api/planted_db.py": "async def f(ctx):\n    await ctx.runtime.db['x'].find()\n",
        f"{events}/api/planted_attr.py": "async def f(db):\n    await db.meetups.find()\n",
        f"{events}/service/planted_call.py": "async def f(c):\n    await c.update_one({}, {})\n",
        f"{events}/service/planted_http.py": "from fastapi import HTTPException\n",
        f"{registry}/repository/planted_cache.py": (
            "from nkohub_shared.web.caching import ResponseCache\n"
        ),
        f"{events}/planted_outbox.py": "from nkohub_shared.storage.outbox import push_outbox\n",
        f"{events}/planted_kick.py": "def f(runtime):\n    runtime.relay.kick()\n",
        f"{events}/planted_cycle.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from nkohub_events import app\n"
        ),
    }
    for relative, code in plants.items():
        _plant(root, relative, code)
    (root / "services/publishing/README.md").unlink()

    found = "\n".join(violations(root))
    expected = {
        "planted_infra.py:1: domain imports infrastructure (pymongo)",
        "planted_web.py:1: domain imports infrastructure (nkohub_shared.web.auth)",
        "planted_room.py:1: domain imports the repository room of its service",
        "planted_neighbour.py:1: nkohub_registry imports another service, nkohub_events",
        "planted.py:1: shared imports the service nkohub_registry",
        "planted_db.py:2: a collection touched outside repository (db[...])",
        "planted_attr.py:2: a collection touched outside repository (db.meetups)",
        "planted_call.py:2: a collection touched outside repository (update_one)",
        "planted_http.py:1: service imports the web layer (fastapi)",
        "planted_cache.py:1: repository imports the web layer (nkohub_shared.web.caching)",
        "planted_outbox.py:1: outbox written by hand (push_outbox)",
        "planted_kick.py:2: the relay kicked by hand",
        "planted_cycle.py:2: imports under TYPE_CHECKING",
        "services/publishing: no README.md",
    }
    missing = [line for line in expected if line not in found]
    assert not missing, f"not caught: {missing}\nfound:\n{found}"
