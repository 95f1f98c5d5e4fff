from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.isolation import Sandbox
from tests.support.mongo_wire import own_mongo_wire  # noqa: F401  (a fixture)
from tests.support.processes import ServiceProcess

ProbeFactory = Callable[..., ServiceProcess]


@pytest.fixture
def probe(sandbox: Sandbox, tmp_path: Path) -> Iterator[ProbeFactory]:
    """Start probe processes: ``probe("producer")``, ``probe("consumer", crash=True)``,
    ``probe("consumer", handle_seconds=0.02)`` (a slow handler)."""
    started: list[ServiceProcess] = []

    def start(
        role: str,
        *,
        crash: bool = False,
        wait: bool = True,
        handle_seconds: float = 0.0,
        **settings: object,
    ):
        env = sandbox.env(f"probe_{role}", **settings)
        env["PROBE_ROLE"] = role
        env["PROBE_HANDLE_SECONDS"] = str(handle_seconds)
        if crash:
            env["PROBE_CRASH_BEFORE_PUBLISH"] = "1"
        process = ServiceProcess(
            "tests.support.probe_service", env, log_path=tmp_path / f"{role}.log"
        )
        started.append(process)
        return process.start(wait=wait)

    yield start
    for process in started:
        process.stop()
