"""Reading a service's ``/metrics`` (Prometheus text format) in tests."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    samples: list[tuple[str, dict[str, str], float]]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples called ``name`` whose labels include ``labels``."""
        return sum(
            value
            for sample, found, value in self.samples
            if sample == name and all(found.get(k) == v for k, v in labels.items())
        )

    def has(self, name: str, **labels: str) -> bool:
        return any(
            sample == name and all(found.get(k) == v for k, v in labels.items())
            for sample, found, _ in self.samples
        )


def scrape(service_url: str) -> Scrape:
    response = httpx.get(f"{service_url}/metrics", timeout=15)
    response.raise_for_status()
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(
        [
            (sample.name, dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        ]
    )
