from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.isolation import Sandbox
from tests.support.notifications_smtp import SmtpRecorder
from tests.support.platform import Platform


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture
def platform_factory(sandbox: Sandbox, smtp: SmtpRecorder, tmp_path: Path):
    started: list[Platform] = []

    def start(replicas: int = 1, site: bool = False, **overrides: dict[str, object]) -> Platform:
        platform = Platform(
            sandbox, tmp_path, smtp, overrides=overrides, replicas=replicas, site=site
        )
        started.append(platform)
        platform.start()
        return platform

    yield start
    for platform in started:
        platform.stop()
