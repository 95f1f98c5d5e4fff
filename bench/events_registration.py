"""Registrations per second through the events service's HTTP endpoint (one uvicorn worker),
against a bare FastAPI endpoint doing one MongoDB insert, in the same run on the same
servers; then the practice report's time over 10,000 registrations and attendances.

Superseded in part: the registration rate is measured by ``bench/run.py`` (its
``registration`` and ``burst`` cases) with wrk and a compiled client. The figures below come
from a Python httpx client, which on a 2-core machine saturates before the server does, so
they understate both sides. This script stays for the practice report's timing, which
run.py does not measure.

    uv run python bench/events_registration.py [--requests 2000] [--concurrency 32]

What one registration costs in the service: validation, a meetup read, the registration
insert (unique index on meetup + e-mail), the conditional seat/waitlist update of the
meetup document, the status write carrying the event, and the outbox relay publishing
that event to RabbitMQ with publisher confirms — all in the same process. The meetup has
65 seats, so nearly all registrations join the waitlist (the realistic case).

Needs RabbitMQ (NKOHUB_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672) and
MongoDB (NKOHUB_TEST_MONGODB_URL, default mongodb://127.0.0.1:27017); uses a vhost and
databases of its own and removes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from pydantic import BaseModel
from pymongo import AsyncMongoClient, MongoClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_keys import SECRETS, staff_token  # noqa: E402  (bench/ is on the path)

AMQP = os.environ.get("NKOHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/")
MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
MANAGEMENT = os.environ.get("NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the bare endpoint (run as a subprocess of this script) ---------------------------------


class BareBody(BaseModel):
    name: str
    email: str
    role: str
    consent_personal_data: bool


def bare_app(database: str):
    from fastapi import FastAPI

    app = FastAPI()
    client: AsyncMongoClient = AsyncMongoClient(MONGO)
    collection = client[database]["registrations"]

    @app.post("/register", status_code=201)
    async def register(body: BareBody) -> dict:
        doc = {"_id": uuid.uuid4().hex, **body.model_dump()}
        await collection.insert_one(doc)
        return {"registration_id": doc["_id"]}

    return app


def serve_bare(port: int, database: str) -> None:
    import uvicorn

    uvicorn.run(bare_app(database), host="127.0.0.1", port=port, log_level="warning")


# -- load ----------------------------------------------------------------------------------


def body(i: int, run: str) -> dict:
    return {
        "name": f"Участник {i}",
        "email": f"{run}-{i}@example.org",
        "role": "ngo_representative",
        "consent_personal_data": True,
    }


async def hammer(url: str, n: int, concurrency: int, run: str) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                i = queue.get_nowait()
                t = time.perf_counter()
                r = await client.post(url, json=body(i, run))
                latencies.append(time.perf_counter() - t)
                if r.status_code not in (200, 201):
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return n / elapsed, latencies, errors


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


async def seed_report(database: str, registrations: int) -> None:
    """Completed meetups of 2025 with `registrations` registrations, all checked in, and a
    few consultations: what the report has to read."""
    from nkohub_shared.privacy import person_key

    client: AsyncMongoClient = AsyncMongoClient(MONGO, tz_aware=True)
    db = client[database]
    per_meetup = 500
    meetups = registrations // per_meetup
    roles = ["ngo_representative", "official", "activist", "media", "other"]
    for m in range(meetups):
        start = datetime(2025, 1, 10, 10, tzinfo=UTC) + timedelta(days=15 * m)
        mid = f"bench-m{m}"
        await db["meetups"].insert_one(
            {
                "_id": mid,
                "slug": mid,
                "title": f"Митап {m}",
                "kind": "meetup",
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "timezone": "Europe/Samara",
                "venue": {"name": "ПНБ"},
                "capacity": 100_000,
                "reserved_seats": 0,
                "status": "completed",
                "sequence": 1,
                "program": [],
                "confirmed": per_meetup,
                "seats": [],
                "waitlist": [],
            }
        )
        regs, atts = [], []
        for i in range(per_meetup):
            person = f"p{(m * per_meetup + i) % 3000}@example.org"  # people come back
            key = person_key(person)
            regs.append(
                {
                    "_id": f"{mid}-r{i}",
                    "meetup_id": mid,
                    "email_key": person,
                    "person_key": key,
                    "status": "confirmed",
                    "role": roles[i % 5],
                    "checked_in_at": start,
                }
            )
            atts.append(
                {
                    "_id": f"{mid}:{key}",
                    "meetup_id": mid,
                    "person_key": key,
                    "role": roles[i % 5],
                    "organization_name": f"НКО {i % 70}",
                    "organization_id": None,
                    "checked_in_at": start,
                }
            )
        await db["registrations"].insert_many(regs)
        await db["attendances"].insert_many(atts)
        await db["slots"].insert_many(
            [
                {
                    "_id": f"{mid}-s{k}",
                    "meetup_id": mid,
                    "specialist": {"_id": "s", "name": "Юрист", "specialty": "lawyer"},
                    "starts_at": start,
                    "duration_minutes": 20,
                    "booking": {"status": "completed", "given_on": start.date().isoformat()},
                }
                for k in range(10)
            ]
        )
    await client.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--report-registrations", type=int, default=10_000)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    vhost = f"bench-{run}"
    events_db, bare_db, report_db = (f"bench_{run}_{x}" for x in ("events", "bare", "report"))
    auth = (AMQP.split("//")[1].split(":")[0], AMQP.split(":")[2].split("@")[0])
    httpx.put(f"{MANAGEMENT}/api/vhosts/{quote(vhost, safe='')}", auth=auth).raise_for_status()
    httpx.put(
        f"{MANAGEMENT}/api/permissions/{quote(vhost, safe='')}/{auth[0]}",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=auth,
    ).raise_for_status()
    processes: list[subprocess.Popen] = []

    def events_server(database: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "NKOHUB_MONGODB_URL": MONGO,
            "NKOHUB_MONGODB_DATABASE": database,
            "NKOHUB_AMQP_URL": f"{AMQP}/{vhost}",
            **SECRETS,
            "NKOHUB_HTTP_HOST": "127.0.0.1",
            "NKOHUB_HTTP_PORT": str(port),
            "NKOHUB_LOG_LEVEL": "WARNING",
        }
        processes.append(
            subprocess.Popen([sys.executable, "-m", "nkohub_events"], env=env, cwd=ROOT)
        )
        return f"http://127.0.0.1:{port}"

    try:
        # the bare endpoint
        bare_port = free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, __file__, "--bare-server", str(bare_port), bare_db], cwd=ROOT
            )
        )
        bare = f"http://127.0.0.1:{bare_port}"
        events = events_server(events_db)
        await wait_ready(f"{bare}/docs")
        await wait_ready(f"{events}/health/live")

        headers = {"Authorization": f"Bearer {staff_token()}"}
        start = datetime.now(UTC) + timedelta(days=7)
        async with httpx.AsyncClient(base_url=events, headers=headers) as client:
            created = await client.post(
                "/api/v1/meetups",
                json={
                    "title": "Бенчмарк",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                    "venue": {"name": "ПНБ", "hall_capacity": 65},
                    "capacity": 65,
                },
            )
            mid = created.json()["meetup_id"]
            (await client.post(f"/api/v1/meetups/{mid}/publish")).raise_for_status()

        await hammer(f"{bare}/register", 200, args.concurrency, "warm")
        await hammer(f"{events}/api/v1/meetups/{mid}/registrations", 200, args.concurrency, "warm")
        bare_rate, bare_lat, bare_err = await hammer(
            f"{bare}/register", args.requests, args.concurrency, run
        )
        ours_rate, ours_lat, ours_err = await hammer(
            f"{events}/api/v1/meetups/{mid}/registrations", args.requests, args.concurrency, run
        )

        def p(lat: list[float], q: float) -> float:
            return statistics.quantiles(lat, n=100)[int(q) - 1] * 1000

        print(
            f"servers: MongoDB-wire {MONGO} (mongo-java-server here), RabbitMQ {AMQP}; "
            f"{os.cpu_count()} CPUs; {args.requests} requests, concurrency {args.concurrency}"
        )
        print(
            f"bare FastAPI + one insert : {bare_rate:8.0f} req/s   "
            f"p50 {p(bare_lat, 50):6.1f} ms  p99 {p(bare_lat, 99):6.1f} ms  errors {bare_err}"
        )
        print(
            f"events registration       : {ours_rate:8.0f} req/s   "
            f"p50 {p(ours_lat, 50):6.1f} ms  p99 {p(ours_lat, 99):6.1f} ms  errors {ours_err}"
        )
        print(f"ratio events / bare       : {ours_rate / bare_rate:8.2f}")

        # the practice report over N registrations, through HTTP
        await seed_report(report_db, args.report_registrations)
        reporting = events_server(report_db)
        await wait_ready(f"{reporting}/health/live")
        times = []
        async with httpx.AsyncClient(base_url=reporting, headers=headers, timeout=120) as client:
            for _ in range(5):
                t = time.perf_counter()
                r = await client.get("/api/v1/reports/practice?from=2025-01-01&to=2025-12-31")
                times.append(time.perf_counter() - t)
                r.raise_for_status()
        indicators = r.json()["indicators"]
        print(
            f"practice report over {args.report_registrations} registrations/attendances: "
            f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
            f"(meetups {indicators['meetups_held']}, participants {indicators['participants']}, "
            f"attendances {indicators['attendances']})"
        )
    finally:
        for proc in processes:
            proc.terminate()
        for proc in processes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        httpx.delete(f"{MANAGEMENT}/api/vhosts/{quote(vhost, safe='')}", auth=auth)
        with MongoClient(MONGO) as client:
            for name in (events_db, bare_db, report_db):
                client.drop_database(name)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-server":
        serve_bare(int(sys.argv[2]), sys.argv[3])
    else:
        asyncio.run(main())
