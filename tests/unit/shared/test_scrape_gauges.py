"""A service's gauges read at scrape time: values replace the previous ones, a label no
longer read drops to 0, and a reader that fails leaves every value NaN (unknown), not the
last one it read."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping

from nkohub_shared.metrics import ServiceMetrics


def _values(metrics: ServiceMetrics, name: str) -> dict[str, float]:
    return {
        sample.labels["status"]: sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == name
    }


def test_scrape_gauges_follow_their_reader():
    answers: list[Mapping[str, float] | Exception] = [
        {"queued": 2, "sent": 5},
        {"sent": 6},
        RuntimeError("the database is away"),
        {"sent": 7},
    ]

    async def reader() -> Mapping[str, float]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    metrics = ServiceMetrics("probe")
    metrics.gauge_read_at_scrape("probe_messages", "by status", "status", reader)
    seen = []
    for _ in range(4):
        asyncio.run(metrics.read_scrape_gauges(timeout=1))
        seen.append(_values(metrics, "probe_messages"))

    assert seen[0] == {"queued": 2, "sent": 5}
    assert seen[1] == {"queued": 0, "sent": 6}
    assert all(math.isnan(v) for v in seen[2].values()) and set(seen[2]) == {"queued", "sent"}
    assert seen[3] == {"queued": 0, "sent": 7}
