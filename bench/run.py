"""Every benchmark of nkohub in one run, each against a baseline measured the same way in
the same run; prints one table of figures and ratios (and writes it as JSON).

    uv run python bench/run.py [--seconds 10] [--quick] [--only CASE[,CASE]] [--json PATH]

What it does, in order (everything on 127.0.0.1; see bench/README.md):

1. creates a RabbitMQ vhost and MongoDB databases of its own (removed at the end), starts
   the bare baseline app (bench/baseline_app.py) and the services the cases need, each as
   a separate process (``python -m nkohub_<service>``, one uvicorn worker, settings from
   ``NKOHUB_*`` variables);
2. loads data through the services' own HTTP APIs with a staff token: posts (published,
   each viewed once), meetups (published), organizations, and later the mailing's
   recipients;
3. drives each HTTP case with ``wrk -t2 -c16 -d<seconds>s --latency`` (Lua scripts in
   bench/wrk/ for random paths and for POST bodies with unique e-mails), right after and
   right before a run of its baseline endpoint (the baseline figure is the mean of the two);
4. the burst: 500 registrations + 100 duplicates at once for 65 seats, with a compiled
   fixed-count client (bench/loadgen, Go standard library), against the service and the
   bare insert endpoint;
5. the bus: bench/bus_throughput.py (outbox relay → consumer vs raw aio-pika pipelined);
6. the fan-out: one meetup published to N followers, from the events API call to the last
   e-mail in the SMTP sink (bench/smtp_sink.py), against the sink's own intake rate from
   bench/loadgen (compiled, pipelined SMTP, as many connections as the service's sender);
7. the resident memory (VmRSS) of every process it started, of the MongoDB-wire server
   (the java process listening on the MongoDB port) and of RabbitMQ.

Needs wrk (``apt-get install -y wrk``), Go for bench/loadgen (``apt-get install -y
golang-go``; without it the burst and fan-out cases are skipped, and say so), RabbitMQ with
its management API and the MongoDB-wire server: NKOHUB_TEST_AMQP_URL (default
amqp://guest:guest@127.0.0.1:5672), NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL (default
http://127.0.0.1:15672), NKOHUB_TEST_MONGODB_URL (default mongodb://127.0.0.1:27017).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pymongo import MongoClient

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench_broker import AMQP, create_vhost, delete_vhost  # noqa: E402
from bench_keys import SECRETS, staff_token  # noqa: E402  (bench/ is on the path)
from bench_processes import (  # noqa: E402
    CpuWatch,
    Process,
    Processes,
    fail,
    free_port,
    listening_pid,
    rss_kb,
    wait_idle,
    wait_ready,
)
from bench_rows import Row  # noqa: E402
from memory import rest_rows  # noqa: E402

MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) nkohub-bench"
SENDER_WORKERS = 8  # the notifications service's SMTP connections, and the sink test's
BURST_UNIQUE, BURST_DUPLICATES, BURST_SEATS = 500, 100, 65
POST_WORDS = (
    "грант конкурс заявка фонд проект бюджет социальный некоммерческий организация город "
    "библиотека встреча консультация отчёт методика цель задача результат партнёр "
    "волонтёр молодёжь спорт культура экология история дети"
)
NAME_WORDS = (
    "центр клуб союз дом мир радуга надежда доброе сердце зелёный город молодёжный "
    "спортивный шахматный экологический краеведческий семейный детский культурный "
    "открытый будущее развитие поддержка забота лапа друг память вектор исток ёлочка"
)

# case key -> (title, service, baseline, target ratio or None)
READS = {
    "home": ("blog home GET /", "publishing", 0.8),
    "post": ("post page GET /posts/<slug> (returning visitor)", "publishing", 0.8),
    "post-new-visitor": (
        "post page, a new visitor each request (counts a view)",
        "publishing",
        None,
    ),
    "meetups": ("meetups page GET /meetups", "events", 0.8),
    "meetup": ("meetup page GET /meetups/<id>", "events", 0.8),
    "organizations": ("organization search GET /api/v1/organizations?q=центр", "registry", 0.8),
    "ics": ("meetups feed GET /api/v1/calendar.ics", "events", 0.8),
}
CASES = [*READS, "registration", "burst", "bus", "fanout", "rest"]
LISTINGS = {"home", "meetups", "organizations", "ics"}  # many documents per page
SERVICES_OF = {
    **{key: {service} for key, (_, service, _) in READS.items()},
    "registration": {"events"},
    "burst": {"events"},
    "fanout": {"events", "notifications"},
    "bus": set(),
    "rest": set(),  # bench/memory.py starts its own
}


# --- machine and processes -------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "commit": commit or "?",
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": (wrk.split("Copyright")[0].strip() or "?"),
        "load_average_at_start": os.getloadavg(),
    }


# --- broker and databases ---------------------------------------------------------------


def drop_databases(names: Iterable[str]) -> None:
    try:
        with MongoClient(MONGO, serverSelectionTimeoutMS=5000) as client:
            for name in names:
                try:
                    client.drop_database(name)
                except Exception as exc:  # mongo-java-server's H2 backend sometimes refuses
                    print(f"could not drop database {name}: {exc.__class__.__name__}: {exc}")
    except Exception as exc:
        print(f"could not reach MongoDB to drop {list(names)}: {exc}")


# --- wrk ---------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk (or loadgen) run."""

    url: str
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    cpu: dict[str, Any] | None = None  # who used the cores during the run (CpuWatch)
    cpu_summary: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def parse_wrk(url: str, output: str) -> Load:
    def find(pattern: str) -> re.Match[str] | None:
        return re.search(pattern, output, re.MULTILINE)

    rate = find(r"^Requests/sec:\s+([\d.]+)")
    if rate is None:
        raise fail(f"unexpected wrk output for {url}:\n{output}")
    p50, p99 = find(r"^\s+50%\s+(\S+)"), find(r"^\s+99%\s+(\S+)")
    total = find(r"^\s+(\d+) requests in")
    non2xx = find(r"Non-2xx or 3xx responses:\s+(\d+)")
    sock = find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    return Load(
        url=url,
        rate=float(rate.group(1)),
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        requests=int(total.group(1)) if total else 0,
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=dict(
            zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=True)
        )
        if sock
        else {},
    )


@dataclass
class Target:
    """What wrk requests: a URL, optionally through a Lua script with arguments."""

    url: str
    script: str | None = None
    script_args: list[str] = field(default_factory=list)

    def argv(self, seconds: float, threads: int, connections: int) -> list[str]:
        argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
        argv += ["--timeout", "10s", "-H", f"User-Agent: {USER_AGENT}"]
        if self.script:
            argv += ["-s", str(BENCH / "wrk" / self.script)]
        argv.append(self.url)
        if self.script_args:
            argv += ["--", *self.script_args]
        return argv


# --- the run -----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_id = uuid.uuid4().hex[:8]
        self.vhost = f"bench-{self.run_id}"
        self.databases: list[str] = []
        self.workdir = Path(tempfile.mkdtemp(prefix=f"nkohub-bench-{self.run_id}-"))
        self.processes = Processes(self.workdir)
        self.rows: list[Row] = []
        self.loadgen: Path | None = None
        self._servers: dict[str, int] | None = None  # the store's and the broker's pids
        self.token = ""
        self.data: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.wrk_runs = 0

    # -- set-up -------------------------------------------------------------------------

    def database(self, name: str) -> str:
        db = f"bench_{self.run_id}_{name}"
        self.databases.append(db)
        return db

    def service_env(self, service: str, port: int, **extra: str) -> dict[str, str]:
        return {
            "NKOHUB_MONGODB_URL": MONGO,
            "NKOHUB_MONGODB_DATABASE": self.database(service),
            "NKOHUB_AMQP_URL": f"{AMQP}/{quote(self.vhost, safe='')}",
            **SECRETS,
            "NKOHUB_HTTP_HOST": "127.0.0.1",
            "NKOHUB_HTTP_PORT": str(port),
            "NKOHUB_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "NKOHUB_LOG_LEVEL": "WARNING",
            **extra,
        }

    def start_service(self, service: str, **extra: str) -> Process:
        port = free_port()
        process = self.processes.start(
            service,
            [sys.executable, "-m", f"nkohub_{service}"],
            self.service_env(service, port, **extra),
        )
        process.url = f"http://127.0.0.1:{port}"
        return process

    def start_baseline(self) -> Process:
        port = free_port()
        process = self.processes.start(
            "baseline",
            [
                sys.executable,
                str(BENCH / "baseline_app.py"),
                "--port",
                str(port),
                "--database",
                self.database("baseline"),
                "--documents",
                str(self.args.posts),
            ],
        )
        process.url = f"http://127.0.0.1:{port}"
        return process

    def build_loadgen(self) -> None:
        go = shutil.which("go") or (
            "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None
        )
        if go is None:
            print(
                "Go not found: the burst and fan-out cases need bench/loadgen "
                "(apt-get install -y golang-go); they are skipped."
            )
            return
        out = self.workdir / "loadgen"
        env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
        built = subprocess.run(
            [go, "build", "-o", str(out), "."],
            cwd=BENCH / "loadgen",
            env=env,
            capture_output=True,
            text=True,
        )
        if built.returncode != 0:
            raise fail(f"go build of bench/loadgen failed:\n{built.stderr}")
        self.loadgen = out

    def staff_headers(self) -> dict[str, str]:
        if not self.token:
            self.token = staff_token(hours=6)
        return {"Authorization": f"Bearer {self.token}"}

    # -- loading through the APIs ----------------------------------------------------------

    async def each(
        self, base: str, items: list[Any], call: Callable[[httpx.AsyncClient, Any], Awaitable[Any]]
    ) -> list[Any]:
        """``call(client, item)`` for every item, 16 at a time, in order of the items."""
        results: list[Any] = [None] * len(items)
        semaphore = asyncio.Semaphore(16)
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        async with httpx.AsyncClient(
            base_url=base, headers=self.staff_headers(), timeout=60, limits=limits
        ) as client:

            async def one(i: int, item: Any) -> None:
                async with semaphore:
                    results[i] = await call(client, item)

            await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))
        return results

    @staticmethod
    async def ok(response: Awaitable[httpx.Response]) -> Any:
        r = await response
        if r.status_code >= 300:
            raise fail(f"{r.request.method} {r.request.url} → {r.status_code}: {r.text[:500]}")
        return r.json() if r.content else None

    async def load_posts(self, base: str, count: int) -> list[str]:
        rng = random.Random(7)
        words = POST_WORDS.split()
        categories = ["grant-competitions", "methodology", "foundations", "ngo-news"]
        tags = ["гранты", "фпг", "методичка", "отчётность", "митап", "налоги", "юристы"]

        def para(n: int) -> str:
            text = " ".join(rng.choice(words) for _ in range(n))
            return text[0].upper() + text[1:] + "."

        bodies = [
            {
                "title": f"{para(5)[:-1]} {i}",
                "body": "\n\n".join(
                    [
                        para(60),
                        f"## {para(4)[:-1]}",
                        f"- {para(8)}\n- {para(8)}",
                        f"Подробнее на [сайте фонда](https://fund.example/{i}). {para(80)}",
                    ]
                ),
                "category": rng.choice(categories),
                "tags": rng.sample(tags, 2),
            }
            for i in range(count)
        ]

        async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
            post = await self.ok(client.post("/api/v1/posts", json=body))
            published = await self.ok(client.post(f"/api/v1/posts/{post['id']}/publish"))
            return published["slug"]

        slugs = await self.each(base, bodies, create)

        async def view(client: httpx.AsyncClient, slug: str) -> None:
            # each post seen once by the visitor wrk plays: "returning visitor"
            await self.ok_html(client.get(f"/posts/{slug}", headers={"User-Agent": USER_AGENT}))

        await self.each(base, slugs, view)
        return slugs

    @staticmethod
    async def ok_html(response: Awaitable[httpx.Response]) -> None:
        r = await response
        if r.status_code != 200:
            raise fail(f"GET {r.request.url} → {r.status_code}")

    def meetup_body(self, title: str, days: int, capacity: int = 80) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=days)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        return {
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "venue": {"name": "Пушкинская библиотека", "hall_capacity": capacity},
            "capacity": capacity,
        }

    async def create_meetup(self, client: httpx.AsyncClient, body: dict[str, Any]) -> str:
        created = await self.ok(client.post("/api/v1/meetups", json=body))
        mid = created["meetup_id"]
        await self.ok(client.post(f"/api/v1/meetups/{mid}/publish"))
        return mid

    async def load_meetups(self, base: str, count: int) -> list[str]:
        bodies = [
            self.meetup_body(f"Открытое общение №{i}: гранты и отчётность", 3 + i)
            for i in range(count)
        ]
        return await self.each(base, bodies, self.create_meetup)

    async def load_organizations(self, base: str, count: int) -> None:
        rng = random.Random(72)
        forms = {
            "ano": "Автономная некоммерческая организация",
            "fund": "Благотворительный фонд",
            "public_organization": "Местная общественная организация",
            "association": "Ассоциация",
        }
        words = NAME_WORDS.split()
        areas = ["youth", "sport", "culture", "education", "ecology", "animals", "health"]
        cities = ["Глазов", "Ижевск", "Сарапул", "Воткинск", "Можга"]

        def ogrn(n: int) -> str:
            first12 = f"1{rng.randint(2, 24):02d}18{n:07d}"
            return first12 + str(int(first12) % 11 % 10)

        bodies = []
        for n in range(count):
            form = rng.choice(list(forms))
            name = " ".join(rng.sample(words, rng.randint(1, 3))).capitalize()
            bodies.append(
                {
                    "full_name": f"{forms[form]} «{name}»",
                    "legal_form": form,
                    "ogrn": ogrn(n),
                    "city": rng.choice(cities),
                    "activity_areas": rng.sample(areas, rng.randint(1, 3)),
                }
            )

        async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
            await self.ok(client.post("/api/v1/organizations", json=body))

        await self.each(base, bodies, create)

    async def load_recipients(self, base: str, count: int) -> None:
        bodies = [
            {
                "name": f"Подписчик {i}",
                "email": f"follower-{self.run_id}-{i}@example.org",
                "topics": {"meetups": {"email": True}},
                "mailing_consent": True,
            }
            for i in range(count)
        ]

        async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
            await self.ok(client.post("/api/v1/staff/recipients", json=body))

        await self.each(base, bodies, create)

    # -- measuring ------------------------------------------------------------------------

    def wrk(self, target: Target, seconds: float | None = None) -> Load:
        seconds = seconds or self.args.seconds
        self.wrk_runs += 1
        if target.script == "register.lua":  # e-mails unique across runs (warm-up included)
            target = Target(target.url, target.script, [f"{target.script_args[0]}-{self.wrk_runs}"])
        argv = target.argv(seconds, self.args.threads, self.args.connections)
        with self.cpu_watch() as watch:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0:
            raise fail(f"wrk failed ({' '.join(argv)}):\n{done.stdout}\n{done.stderr}")
        load = parse_wrk(target.url, done.stdout)
        load.cpu, load.cpu_summary = watch.detail(), watch.summary()
        return load

    def cpu_watch(self) -> CpuWatch:
        """CPU of every process this run started, the store's and the broker's (wrk's own
        shows in the machine's total)."""
        if self._servers is None:
            self._servers = {}
            for name, url in (("store", MONGO), ("RabbitMQ", AMQP)):
                pid = listening_pid(urlsplit(url).port or (27017 if name == "store" else 5672))
                if pid is not None:
                    self._servers[name] = pid
        pids = {p.name: p.popen.pid for p in self.processes.running.values()}
        return CpuWatch({**pids, **self._servers})

    def settle(self) -> None:
        wait_idle(self.processes.running.values())

    def measure_with_baseline(
        self, cases: list[tuple[str, Target]], baseline: Target
    ) -> tuple[dict[str, Load], list[Load]]:
        """baseline, case 1, baseline, case 2, …, baseline: each case sits between two
        runs of its baseline; returns the case loads and the baseline loads in order."""
        warmed: set[str] = set()

        def warm(target: Target) -> None:
            if target.url not in warmed:
                warmed.add(target.url)
                self.wrk(target, self.args.warmup)

        loads: dict[str, Load] = {}
        self.settle()
        warm(baseline)
        baselines = [self.wrk(baseline)]
        for key, target in cases:
            self.settle()
            warm(target)
            self.settle()
            loads[key] = self.wrk(target)
            print(
                f"  {key:<22} {loads[key].rate:8.0f} req/s  (baseline before "
                f"{baselines[-1].rate:.0f})",
                flush=True,
            )
            self.settle()
            baselines.append(self.wrk(baseline))
        return loads, baselines

    def http_row(
        self,
        key: str,
        title: str,
        load: Load,
        before: Load,
        after: Load,
        name: str,
        target: float | None,
        notes: str = "",
    ) -> Row:
        row = Row(
            case=key,
            title=title,
            figure=load.rate,
            p50_ms=load.p50_ms,
            p99_ms=load.p99_ms,
            errors=load.errors,
            baseline_name=name,
            baseline=(before.rate + after.rate) / 2,
            target=target,
            target_text=f"≥ {target:g}×" if target else "—",
            notes=notes,
            detail={
                "load": load.__dict__,
                "baseline_before": before.__dict__,
                "baseline_after": after.__dict__,
            },
        )
        if target is not None and row.ratio is not None:
            row.met = row.ratio >= target and load.errors == 0
        return row

    # -- cases ----------------------------------------------------------------------------

    def run_http(self, wanted: list[str], services: dict[str, Process], base: Process) -> None:
        reads: list[tuple[str, Target]] = []
        if "home" in wanted:
            reads.append(("home", Target(f"{services['publishing'].url}/")))
        if "post" in wanted or "post-new-visitor" in wanted:
            posts_file = self.workdir / "posts.txt"
            posts_file.write_text("".join(f"/posts/{s}\n" for s in self.data["slugs"]))
            if "post" in wanted:
                reads.append(
                    (
                        "post",
                        Target(f"{services['publishing'].url}/", "paths.lua", [str(posts_file)]),
                    )
                )
            if "post-new-visitor" in wanted:
                reads.append(
                    (
                        "post-new-visitor",
                        Target(
                            f"{services['publishing'].url}/",
                            "paths.lua",
                            [str(posts_file), "fresh"],
                        ),
                    )
                )
        if "meetups" in wanted:
            reads.append(("meetups", Target(f"{services['events'].url}/meetups")))
        if "meetup" in wanted:
            mid = self.data["meetups"][len(self.data["meetups"]) // 2]
            reads.append(("meetup", Target(f"{services['events'].url}/meetups/{mid}")))
        if "organizations" in wanted:
            q = quote("центр")
            reads.append(
                ("organizations", Target(f"{services['registry'].url}/api/v1/organizations?q={q}"))
            )
        if "ics" in wanted:
            reads.append(("ics", Target(f"{services['events'].url}/api/v1/calendar.ics")))

        if reads:
            items_file = self.workdir / "items.txt"
            items_file.write_text("".join(f"/items/d{i}\n" for i in range(self.args.posts)))
            find_one = Target(f"{base.url}/", "paths.lua", [str(items_file)])
            print(f"reads: {len(reads)} cases, each between two runs of the bare find_one")
            loads, baselines = self.measure_with_baseline(reads, find_one)
            for i, (key, _) in enumerate(reads):
                title, _, target = READS[key]
                self.rows.append(
                    self.http_row(
                        key,
                        title,
                        loads[key],
                        baselines[i],
                        baselines[i + 1],
                        "bare find_one by _id",
                        target,
                    )
                )
            # the framework's ceiling and a listing, for reading the table
            self.settle()
            static = self.wrk(Target(f"{base.url}/static"))
            self.settle()
            listing = self.wrk(Target(f"{base.url}/list"))
            find_mean = statistics.mean(b.rate for b in baselines)
            for row in self.rows:  # listings: also against the bare 20-document list
                if row.case in LISTINGS and row.figure is not None:
                    row.notes = f"{row.figure / listing.rate:.2f}× the bare 20-document list"
            for key, title, load in (
                ("bare-static", "bare: static HTML page (no database)", static),
                ("bare-find-one", "bare: one find_one by _id (mean of its runs)", None),
                ("bare-list", "bare: 20 documents sorted by an indexed date", listing),
            ):
                if load is None:
                    row = Row(
                        key,
                        title,
                        figure=find_mean,
                        errors=sum(b.errors for b in baselines),
                        p50_ms=statistics.median(b.p50_ms for b in baselines),
                        p99_ms=statistics.median(b.p99_ms for b in baselines),
                    )
                else:
                    row = Row(
                        key,
                        title,
                        figure=load.rate,
                        p50_ms=load.p50_ms,
                        p99_ms=load.p99_ms,
                        errors=load.errors,
                    )
                row.baseline_name, row.baseline = "bare static page", static.rate
                row.target_text = "(reference)"
                self.rows.append(row)

        if "registration" in wanted:
            events = services["events"]
            mid = asyncio.run(self.one_meetup(events.url, "Бенчмарк регистрации", BURST_SEATS))
            print("registration: between two runs of the bare insert_one")
            loads, baselines = self.measure_with_baseline(
                [
                    (
                        "registration",
                        Target(
                            f"{events.url}/api/v1/meetups/{mid}/registrations",
                            "register.lua",
                            [f"reg-{self.run_id}"],
                        ),
                    )
                ],
                Target(f"{base.url}/register", "register.lua", [f"bare-{self.run_id}"]),
            )
            self.rows.append(
                self.http_row(
                    "registration",
                    "registration POST /api/v1/meetups/<id>/registrations (unique e-mails)",
                    loads["registration"],
                    baselines[0],
                    baselines[1],
                    "bare insert_one",
                    0.8,
                    notes=(
                        f"{BURST_SEATS} seats: nearly all join the waitlist; "
                        + _cpu_notes(loads["registration"], baselines[0])
                    ),
                )
            )

    async def one_meetup(self, base: str, title: str, capacity: int) -> str:
        async with httpx.AsyncClient(base_url=base, headers=self.staff_headers(), timeout=60) as c:
            return await self.create_meetup(c, self.meetup_body(title, 10, capacity))

    def loadgen_json(self, *args: str, timeout: float = 900) -> dict[str, Any]:
        assert self.loadgen is not None
        done = subprocess.run(
            [str(self.loadgen), *args], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise fail(f"loadgen {args[0]} failed:\n{done.stderr}")
        return json.loads(done.stdout)

    def run_burst(self, events: Process, base: Process) -> None:
        mid = asyncio.run(self.one_meetup(events.url, "Бенчмарк: наплыв", BURST_SEATS))
        self.settle()
        ours = self.loadgen_json(
            "burst",
            "-url",
            f"{events.url}/api/v1/meetups/{mid}/registrations",
            "-unique",
            str(BURST_UNIQUE),
            "-dup",
            str(BURST_DUPLICATES),
            "-prefix",
            f"burst-{self.run_id}",
        )
        self.settle()
        bare = self.loadgen_json(
            "burst",
            "-url",
            f"{base.url}/register",
            "-unique",
            str(BURST_UNIQUE),
            "-dup",
            str(BURST_DUPLICATES),
            "-prefix",
            f"bare-burst-{self.run_id}",
        )
        # what the meetup holds afterwards, from the staff API
        rows = httpx.get(
            f"{events.url}/api/v1/meetups/{mid}/registrations",
            headers=self.staff_headers(),
            timeout=60,
        ).json()
        held = Counter(r["status"] for r in rows)
        bad_statuses = sum(k for s, k in ours["statuses"].items() if s not in ("200", "201"))
        statuses_ok = bad_statuses == 0
        answered_all = ours["answered"] == ours["requests"]
        correct = (
            held.get("confirmed", 0) == BURST_SEATS
            and sum(held.values()) == BURST_UNIQUE
            and ours["statuses"].get("201", 0) == BURST_UNIQUE
        )
        n = BURST_UNIQUE + BURST_DUPLICATES
        self.rows.append(
            Row(
                case="burst",
                title=f"burst: {BURST_UNIQUE} registrations + {BURST_DUPLICATES} duplicates "
                f"at once, {BURST_SEATS} seats (p99)",
                figure=ours["p99_ms"],
                unit="ms p99",
                p50_ms=ours["p50_ms"],
                p99_ms=ours["p99_ms"],
                errors=n - ours["answered"] + bad_statuses,
                baseline_name="bare insert_one, same burst (p99)",
                baseline=bare["p99_ms"],
                target_text="all answered, no resets",
                met=statuses_ok and answered_all and not ours["errors"] and correct,
                notes=(
                    f"statuses {ours['statuses']}, errors {ours['errors'] or 'none'}, "
                    f"all in {ours['seconds']:.1f} s; meetup holds "
                    f"{dict(held)}; bare: statuses {bare['statuses']}, errors "
                    f"{bare['errors'] or 'none'}"
                ),
                detail={"ours": ours, "bare": bare, "held": dict(held)},
            )
        )
        print(
            f"  burst: p99 {ours['p99_ms']:.0f} ms (bare {bare['p99_ms']:.0f} ms), "
            f"statuses {ours['statuses']}, errors {ours['errors'] or 'none'}, held {dict(held)}"
        )

    def run_bus(self) -> None:
        out = self.workdir / "bus.json"
        argv = [
            sys.executable,
            str(BENCH / "bus_throughput.py"),
            "--messages",
            str(self.args.messages),
            "--rounds",
            str(self.args.bus_rounds),
            "--json",
            str(out),
        ]
        process = self.processes.start("bus", argv)
        try:
            process.popen.wait(1800)
        except subprocess.TimeoutExpired:
            self.processes.stop("bus")
            raise fail("the bus case did not finish in 30 minutes") from None
        self.processes.running.pop("bus", None)
        if process.popen.returncode != 0 or not out.exists():
            raise fail(f"the bus case failed:\n{process.tail()}")
        figures = json.loads(out.read_text())
        if "relay_record" in figures:
            record = Row(
                case="bus",
                title=(
                    f"bus: {self.args.messages} events, relay → consumer with the "
                    "processed-events record (no-op handler)"
                ),
                figure=figures["relay_record"]["rate"],
                unit="msg/s",
                baseline_name=f"raw aio-pika, {figures['in_flight']} publishes in flight",
                baseline=figures["raw"]["rate"],
                target=None,
                target_text="(reported)",
                notes="every handler not registered idempotent=True",
            )
            self.rows.append(record)
        row = Row(
            case="bus",
            title=(
                f"bus: {self.args.messages} events, outbox relay → consumer "
                "(idempotent handler: one apply_once write each)"
            ),
            figure=figures["relay"]["rate"],
            unit="msg/s",
            baseline_name=f"raw aio-pika, {figures['in_flight']} publishes in flight",
            baseline=figures["raw"]["rate"],
            target=0.8,
            target_text="≥ 0.8×",
            notes=f"mean of {figures['rounds']} alternating rounds",
            detail=figures,
        )
        row.met = row.ratio is not None and row.ratio >= 0.8
        self.rows.append(row)
        print(f"  bus: relay {row.figure:.0f} msg/s, raw {row.baseline:.0f} msg/s")

    def sink_query(self, port: int, command: str = "count") -> list[float]:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"{command}\n".encode())
            answer = sock.makefile().readline().split()
        return [float(x) for x in answer] if command in ("count", "recipients") else []

    def run_fanout(self, events: Process, notifications: Process, control: int, smtp: int) -> None:
        n = self.args.recipients
        started = time.perf_counter()
        asyncio.run(self.load_recipients(notifications.url, n))
        self.timings["load recipients"] = time.perf_counter() - started
        self.settle()
        self.sink_query(control, "reset")
        with self.cpu_watch() as watch:
            clock = time.perf_counter()
            mid = asyncio.run(self.one_meetup(events.url, "Бенчмарк: рассылка", 80))
            first = None
            deadline = clock + max(300.0, n / 5)
            count = 0.0
            while time.perf_counter() < deadline:
                count, size, _ = self.sink_query(control)
                if first is None and count > 0:
                    first = time.perf_counter() - clock
                if count >= n:
                    break
                time.sleep(0.05)
            seconds = time.perf_counter() - clock
        if count < n:
            print(f"  fan-out: only {count:.0f} of {n} e-mails after {seconds:.0f} s")
        rate = count / seconds
        size_per_message = int(size / count) if count else 6000
        self.settle()
        # Exactly once: every follower once, nobody twice (the settle above lets a late
        # duplicate arrive before it is looked for).
        distinct, repeated = self.sink_query(control, "recipients")
        self.sink_query(control, "reset")
        intake = self.loadgen_json(
            "smtp",
            "-addr",
            f"127.0.0.1:{smtp}",
            "-n",
            str(n),
            "-conns",
            str(SENDER_WORKERS),
            "-size",
            str(size_per_message),
        )
        received, _, _ = self.sink_query(control)
        row = Row(
            case="fanout",
            title=f"fan-out: one meetup announced to {n} followers, API call → last e-mail",
            figure=rate,
            unit="mail/s",
            errors=int(n - count) + int(repeated),
            baseline_name=f"SMTP sink intake (compiled, pipelined, {SENDER_WORKERS} connections)",
            baseline=intake["rate"],
            target=0.5,
            target_text="≥ 0.5×",
            notes=(
                f"{count:.0f} e-mails to {distinct:.0f} distinct addresses ({repeated:.0f} "
                f"mailed more than once) of ~{size_per_message} bytes in {seconds:.1f} s, "
                f"first after {(first or 0):.1f} s; sender_workers {SENDER_WORKERS}, "
                f"rate limit off; sink took {received:.0f}/{intake['sent']} of the compiled "
                f"sender's; {watch.summary()}"
            ),
            detail={
                "seconds": seconds,
                "first_mail_s": first,
                "meetup_id": mid,
                "intake": intake,
                "cpu": watch.detail(),
            },
        )
        row.met = row.ratio is not None and row.ratio >= 0.5 and count >= n
        self.rows.append(row)
        print(f"  fan-out: {rate:.0f} mail/s; sink intake {intake['rate']:.0f} mail/s")

    def memory_rows(self) -> None:
        store_port = urlsplit(MONGO).port or 27017
        amqp_port = urlsplit(AMQP).port or 5672
        measured = [(p.name, p.popen.pid) for p in self.processes.running.values()]
        for name, port in (("MongoDB-wire server (java)", store_port), ("RabbitMQ", amqp_port)):
            pid = listening_pid(port)
            if pid is not None:
                measured.append((name, pid))
        for name, pid in measured:
            kb = rss_kb(pid)
            if kb is None:
                continue
            shared = name.startswith(("MongoDB", "RabbitMQ"))
            self.rows.append(
                Row(
                    case=f"rss-{name.split()[0].lower()}",
                    title=f"RSS after load: {name}",
                    figure=kb / 1024,
                    unit="MiB",
                    target_text="(reported)",
                    notes="shared with other users of the server" if shared else "",
                )
            )

    def run_rest(self) -> None:
        """Each service's resident memory at rest (``bench/memory.py``)."""
        started = time.perf_counter()
        self.rows.extend(rest_rows(self))
        self.timings["memory at rest"] = time.perf_counter() - started

    # -- the whole run --------------------------------------------------------------------

    def execute(self) -> None:
        args = self.args
        wanted = args.only
        begun = time.perf_counter()
        if {"burst", "fanout"} & set(wanted):
            self.build_loadgen()
            if self.loadgen is None:
                wanted = [c for c in wanted if c not in ("burst", "fanout")]
        needed = set().union(*(SERVICES_OF[c] for c in wanted))
        create_vhost(self.vhost)
        if "rest" in wanted:
            self.run_rest()
        services: dict[str, Process] = {}
        base = None
        if set(wanted) & {*READS, "registration", "burst"}:
            base = self.start_baseline()
        for service in ("registry", "events", "publishing"):  # notifications: at the fan-out
            if service in needed:
                # the registration cases come from many visitors (X-Forwarded-For set by
                # register.lua and loadgen), as a real rush does: one address would meet the
                # public door's per-client limits after ten registrations
                trusted = '["127.0.0.1/32"]'
                extra = {"NKOHUB_TRUSTED_PROXIES": trusted} if service == "events" else {}
                services[service] = self.start_service(service, **extra)
        for process in [*([base] if base else []), *services.values()]:
            wait_ready(process, "/static" if process is base else "/health/ready")
        started = time.perf_counter()
        if "publishing" in services and {"home", "post", "post-new-visitor"} & set(wanted):
            self.data["slugs"] = asyncio.run(
                self.load_posts(services["publishing"].url, args.posts)
            )
        if {"meetups", "meetup", "ics"} & set(wanted):
            self.data["meetups"] = asyncio.run(
                self.load_meetups(services["events"].url, args.meetups)
            )
        if "organizations" in wanted:
            asyncio.run(self.load_organizations(services["registry"].url, args.organizations))
        if set(wanted) & {*READS}:
            self.timings["load posts, meetups, organizations"] = time.perf_counter() - started
            print(
                f"loaded in {self.timings['load posts, meetups, organizations']:.0f} s: "
                f"{len(self.data.get('slugs', []))} posts, {len(self.data.get('meetups', []))} "
                f"meetups, {args.organizations if 'organizations' in wanted else 0} organizations"
            )
        if base is not None:
            started = time.perf_counter()
            self.run_http(wanted, services, base)
            if set(wanted) & {*READS, "registration"}:
                self.timings["wrk cases"] = time.perf_counter() - started
            if "burst" in wanted:
                self.settle()
                self.run_burst(services["events"], base)
        if "bus" in wanted:
            started = time.perf_counter()
            self.settle()
            self.run_bus()
            self.timings["bus"] = time.perf_counter() - started
        if "fanout" in wanted:
            started = time.perf_counter()
            smtp, control = free_port(), free_port()
            sink = self.processes.start(
                "smtp-sink", [sys.executable, str(BENCH / "smtp_sink.py"), str(smtp), str(control)]
            )
            notifications = self.start_service(
                "notifications",
                NKOHUB_SMTP_HOST="127.0.0.1",
                NKOHUB_SMTP_PORT=str(smtp),
                NKOHUB_EMAIL_RATE_PER_SECOND="0",
                NKOHUB_SENDER_WORKERS=str(SENDER_WORKERS),
                NKOHUB_EVENTS_PUBLIC_URL=services["events"].url,
            )
            wait_ready(notifications, "/health/ready")
            if sink.popen.poll() is not None:
                raise fail(f"the SMTP sink exited:\n{sink.tail()}")
            self.run_fanout(services["events"], notifications, control, smtp)
            self.timings["fan-out"] = time.perf_counter() - started
        self.settle()
        self.memory_rows()
        self.timings["total"] = time.perf_counter() - begun

    def cleanup(self) -> None:
        self.processes.stop_all()
        delete_vhost(self.vhost)
        drop_databases(self.databases)


# --- the table ----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None or value != value:  # None or NaN
        return "—"
    return f"{value:,.{digits}f}"


def table(rows: list[Row]) -> str:
    head = ["case", "figure", "p50 ms", "p99 ms", "errors", "baseline", "ratio", "target", "met?"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        digits = 1 if r.unit in ("ms p99",) else 0
        figure = f"{fmt(r.figure, digits)} {r.unit}" if r.figure is not None else "—"
        baseline = f"{fmt(r.baseline, digits)} ({r.baseline_name})" if r.baseline else "—"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None and r.unit != "ms p99" else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(
            "| "
            + " | ".join(
                [
                    r.title,
                    figure,
                    fmt(r.p50_ms, 1),
                    fmt(r.p99_ms, 1),
                    "—" if r.errors is None else str(r.errors),
                    baseline,
                    ratio,
                    r.target_text or "—",
                    met,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _cpu_notes(case: Load, baseline: Load) -> str:
    """Who used the cores during the case's run and during its baseline's."""
    if not case.cpu_summary:
        return ""
    return f"{case.cpu_summary} (the baseline's run: {baseline.cpu_summary})"


def notes(rows: list[Row]) -> str:
    return "\n".join(f"- {r.title}: {r.notes}" for r in rows if r.notes)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true", help="small data, 3 s per case")
    parser.add_argument("--only", help=f"comma-separated cases of: {', '.join(CASES)}")
    parser.add_argument("--json", type=Path, help="also write the table and details as JSON")
    parser.add_argument("--posts", type=int, help="blog posts (default 2000; quick 200)")
    parser.add_argument("--meetups", type=int, help="meetups (default 50; quick 10)")
    parser.add_argument("--organizations", type=int, help="(default 5000; quick 500)")
    parser.add_argument("--recipients", type=int, help="fan-out (default 10000; quick 1000)")
    parser.add_argument("--messages", type=int, help="bus events (default 5000; quick 1000)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    args = parser.parse_args(argv)
    quick = args.quick
    for name, full, small in (
        ("posts", 2000, 200),
        ("meetups", 50, 10),
        ("organizations", 5000, 500),
        ("recipients", 10_000, 1000),
        ("messages", 5000, 1000),
    ):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    if quick and args.seconds == 10.0:
        args.seconds = 3.0
    args.warmup = 1.0 if quick else 2.0
    args.bus_rounds = 1 if quick else 2
    if args.only:
        args.only = [c.strip() for c in args.only.split(",") if c.strip()]
        unknown = set(args.only) - set(CASES)
        if unknown:
            parser.error(f"unknown case(s) {sorted(unknown)}; cases: {', '.join(CASES)}")
    else:
        args.only = list(CASES)
    return args


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None and any(c not in ("bus", "rest") for c in args.only):
        raise fail(
            "wrk is not installed. On Debian/Ubuntu: `apt-get update && apt-get install -y wrk` "
            "(or run only --only bus)."
        )
    bench = Bench(args)
    info = machine()
    print(
        f"nkohub bench {bench.run_id}: {info['cpu']}, {info['nproc']} CPUs, {info['ram_gib']} GiB, "
        f"Python {info['python']}, {info['wrk']}; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds:g}s; cases: {', '.join(args.only)}",
        flush=True,
    )
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on SIGTERM too
    failed = True
    try:
        bench.execute()
        failed = False
    except KeyboardInterrupt:
        print("\ninterrupted: stopping what was started")
    finally:
        bench.cleanup()
        if failed or args.keep_logs:
            print(f"logs of the processes: {bench.workdir}")
        else:
            shutil.rmtree(bench.workdir, ignore_errors=True)
    if failed:
        raise SystemExit(1)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"{when}; commit {info['commit']}; {info['cpu']}, nproc {info['nproc']}, "
        f"{info['ram_gib']} GiB RAM, Python "
        f"{info['python']}, {info['wrk']}; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds:g}s --latency; one uvicorn worker per service; load average at "
        f"start {', '.join(f'{x:.2f}' for x in info['load_average_at_start'])}"
    )
    print(table(bench.rows))
    print(notes(bench.rows))
    timings = ", ".join(f"{k} {v:.0f} s" for k, v in bench.timings.items())
    print(f"\ntimings: {timings}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "date": when,
                    "machine": info,
                    "settings": {k: v for k, v in vars(args).items() if k not in ("json",)},
                    "timings_s": bench.timings,
                    "table": table(bench.rows),
                    "notes": notes(bench.rows),
                    "rows": [{**r.__dict__, "ratio": r.ratio} for r in bench.rows],
                },
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        print(f"written: {args.json}")


if __name__ == "__main__":
    main()
