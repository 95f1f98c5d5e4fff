"""The ``rest`` case of ``bench/run.py``: each service's resident memory at rest.

Starts the five services fresh (registry, events, notifications, publishing and the staff
console in front of them), each as its own process with one uvicorn worker, as
``run.py`` starts the others; reads each process's ``VmRSS`` from ``/proc`` once all are
ready, then again after a warm-up (every public page or API of the service asked
``WARM_UP_ROUNDS`` times, so that templates, routes and caches are built), once the
processes are idle. Then stops them. The store's and RabbitMQ's RSS are the rows
``run.py`` adds at the end of every run (``memory_rows``).
"""

from __future__ import annotations

import sys
import time
from typing import Protocol

import httpx
from bench_keys import PRIVATE_KEY
from bench_processes import Processes, free_port, rss_kb, wait_idle, wait_ready
from bench_rows import Row


class Starts(Protocol):
    """What of ``run.Bench`` this case uses: its processes and a service's environment."""

    processes: Processes

    def service_env(self, service: str, port: int, **extra: str) -> dict[str, str]: ...


REST_SERVICES = ("registry", "events", "notifications", "publishing")
WARM_UP_ROUNDS = 50
# what a visitor asks of each service (anonymous); the console: its login page
WARM_UP_PATHS = {
    "registry": ["/api/v1/organizations?q=центр", "/api/v1/organizations", "/organizations/join"],
    "events": ["/meetups", "/api/v1/meetups", "/api/v1/calendar.ics"],
    "notifications": ["/subscribe?topic=blog", "/health/ready"],
    "publishing": ["/", "/category/ngo-news", "/grants", "/search?q=грант", "/sitemap.xml"],
    "console": ["/console/login", "/health/ready"],
}


def rest_rows(bench: Starts) -> list[Row]:
    """RSS of each service after start and after a warm-up, one row each."""
    started = {}
    for service in REST_SERVICES:
        port = free_port()
        name = f"rest-{service}"
        process = bench.processes.start(
            name,
            [sys.executable, "-m", f"nkohub_{service}"],
            bench.service_env(f"rest_{service}", port),
        )
        process.url = f"http://127.0.0.1:{port}"
        started[service] = process
    port = free_port()
    console = bench.processes.start(
        "rest-console",
        [sys.executable, "-m", "nkohub_console"],
        bench.service_env(
            "rest_console",
            port,
            NKOHUB_STAFF_TOKEN_PRIVATE_KEY=PRIVATE_KEY,
            **{f"NKOHUB_CONSOLE_{s.upper()}_URL": started[s].url for s in REST_SERVICES},
        ),
    )
    console.url = f"http://127.0.0.1:{port}"
    started["console"] = console
    for process in started.values():
        wait_ready(process, "/health/ready")
    wait_idle(started.values())
    at_start = {s: rss_kb(p.popen.pid) for s, p in started.items()}

    answers: dict[str, dict[int, int]] = {}
    begun = time.perf_counter()
    with httpx.Client(timeout=30, headers={"User-Agent": "Mozilla/5.0 nkohub-bench"}) as client:
        for service, process in started.items():
            statuses = answers.setdefault(service, {})
            for _ in range(WARM_UP_ROUNDS):
                for path in WARM_UP_PATHS[service]:
                    status = client.get(f"{process.url}{path}").status_code
                    statuses[status] = statuses.get(status, 0) + 1
    warm_seconds = time.perf_counter() - begun
    wait_idle(started.values())
    rows = []
    for service, process in started.items():
        after = rss_kb(process.popen.pid)
        before = at_start[service]
        statuses = ", ".join(f"{n}×{s}" for s, n in sorted(answers[service].items()))
        rows.append(
            Row(
                case=f"rest-{service}",
                title=f"RSS at rest: {service} (started; after {WARM_UP_ROUNDS} rounds of reads)",
                figure=(after or 0) / 1024,
                unit="MiB",
                target_text="(reported)",
                notes=f"at start {(before or 0) / 1024:.0f} MiB; warm-up answers {statuses}",
                detail={"at_start_kib": before, "after_warm_up_kib": after},
            )
        )
    for name in [f"rest-{s}" for s in ("console", *REST_SERVICES)]:
        bench.processes.stop(name)
    print(f"  memory at rest: warm-up took {warm_seconds:.1f} s")
    return rows
