"""Bar charts drawn on the server as SVG (they print, and need no JavaScript).

``nice_scale`` picks an axis top and tick step a person reads at a glance (1, 2, 2.5 or 5
times a power of ten); ``bar_chart`` turns labelled series (e.g. 2019 beside 2020) into
the geometry of grouped bars, which a template writes out as ``<rect>`` elements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
PALETTE = ("#2f5d8a", "#e0892b", "#5a9b4b", "#8a4f9e")


@dataclass(frozen=True)
class Scale:
    top: float  # the axis ends here (>= the largest value)
    step: float  # between ticks

    @property
    def ticks(self) -> list[float]:
        count = round(self.top / self.step)
        return [round(i * self.step, 6) for i in range(count + 1)]


def nice_scale(largest: float, ticks: int = 5) -> Scale:
    """The smallest readable axis holding ``largest`` in about ``ticks`` steps."""
    if largest <= 0 or math.isnan(largest):
        return Scale(top=1.0, step=1.0) if ticks <= 1 else Scale(top=float(ticks), step=1.0)
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in STEPS:
        step = multiple * power
        if step * ticks >= largest:
            break
    if step < 1 and largest >= 1:  # counts of people or posts: whole ticks
        step = 1.0
    top = step * math.ceil(largest / step - 1e-9)
    return Scale(top=top, step=step)


@dataclass(frozen=True)
class Series:
    name: str  # e.g. "2019"
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    color: str
    series: str
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: float

    @property
    def text(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class GroupLabel:
    x: float
    text: str


@dataclass
class BarChart:
    title: str
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[GroupLabel] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (series, color)

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: float = 720,
    height: float = 260,
) -> BarChart:
    """Grouped bars: one group per category, one bar per series in it."""
    left, top, bottom = 44.0, 28.0, 46.0
    plot_width = width - left - 10
    plot_height = height - top - bottom
    largest = max((v for s in series for v in s.values), default=0)
    scale = nice_scale(largest)
    chart = BarChart(title, width, height, left, top, height - bottom)
    chart.legend = [(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)]
    chart.ticks = [
        Tick(y=round(top + plot_height * (1 - t / scale.top), 2), value=t) for t in scale.ticks
    ]
    if not categories:
        return chart
    group = plot_width / len(categories)
    inner = group * 0.8
    bar_width = inner / max(1, len(series))
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - inner) / 2
        chart.labels.append(GroupLabel(x=round(left + c * group + group / 2, 2), text=category))
        for s_index, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else 0
            bar_height = plot_height * value / scale.top
            chart.bars.append(
                Bar(
                    x=round(x0 + s_index * bar_width, 2),
                    y=round(top + plot_height - bar_height, 2),
                    width=round(bar_width * 0.92, 2),
                    height=round(bar_height, 2),
                    value=value,
                    color=PALETTE[s_index % len(PALETTE)],
                    series=s.name,
                    label=category,
                )
            )
    return chart
