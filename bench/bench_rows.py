"""One row of the benchmark table: a case's figure, its baseline in the same run, and the
ratio against the target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    case: str
    title: str
    figure: float | None = None
    unit: str = "req/s"
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int | None = None
    baseline_name: str = ""
    baseline: float | None = None
    target: float | None = None  # ratio
    target_text: str = ""
    met: bool | None = None
    notes: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.baseline:
            return None
        return self.figure / self.baseline
