"""CPU per registration, in-process: the events app (and, in the same run, the bare
insert app) driven through ASGI directly, 16 requests in flight, no HTTP client or server
in the way. What it prints is this process's CPU time per request (``time.process_time``:
the request, the door, the outbox relay publishing the event, everything the app's event
loop does for it), which moves far less with the machine's load than a rate does.

    uv run python bench/registration_cpu.py [--requests 1500] [--rounds 3] [--profile out.prof]

Rounds alternate events / bare; each events round registers new people (unique e-mails and
client addresses) for a meetup of 65 seats, so nearly all join the waitlist, as
``bench/run.py``'s ``registration`` case does. ``--profile`` writes a cProfile of the last
events round (``python -m pstats``, or ``uvx snakeviz``). Needs the same servers as the
tests (``NKOHUB_TEST_MONGODB_URL``, ``NKOHUB_TEST_AMQP_URL``); uses a vhost and databases
of its own and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pymongo import monitoring  # noqa: E402

from tests.support.inprocess import staff_headers  # noqa: E402
from tests.support.isolation import create_sandbox, destroy_sandbox  # noqa: E402
from tests.support.servers import discover  # noqa: E402

ASGI = Callable[..., Awaitable[None]]


class CommandTimes(monitoring.CommandListener):
    """How long the store took for each command this process sent, by (command,
    collection): where the wall time of a registration goes when the process is idle."""

    def __init__(self) -> None:
        self.database = ""
        self.times: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._started: dict[int, tuple[str, str]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database:
            target = event.command.get(event.command_name)
            key = (event.command_name, target if isinstance(target, str) else "")
            self._started[event.request_id] = key

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        key = self._started.pop(event.request_id, None)
        if key is not None:
            self.times[key].append(event.duration_micros / 1000)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._started.pop(event.request_id, None)

    def report(self, requests: int) -> None:
        for (name, coll), ms in sorted(self.times.items(), key=lambda kv: -sum(kv[1])):
            ms.sort()
            print(
                f"  {name} {coll}: {len(ms) / requests:.2f}/request, "
                f"median {ms[len(ms) // 2]:.1f} ms, p90 {ms[len(ms) * 9 // 10]:.1f} ms"
            )
        self.times.clear()


TIMES = CommandTimes()
monitoring.register(TIMES)
CONCURRENCY = 16


def person(run: str, i: int) -> bytes:
    return json.dumps(
        {
            "name": f"Участник {i}",
            "email": f"{run}-{i}@example.org",
            "role": "ngo_representative",
            "consent_personal_data": True,
        },
        ensure_ascii=False,
    ).encode()


async def call(app: ASGI, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    """One request through the ASGI app; its status."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(app: ASGI, path: str, run: str, n: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            headers = {"x-forwarded-for": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
            s = await call(app, "POST", path, person(run, i), headers)
            statuses[s] = statuses.get(s, 0) + 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return statuses


async def outbox_drained(runtime: Any, deadline_s: float = 120) -> None:
    from nkohub_events.repository import OUTBOX_COLLECTIONS
    from nkohub_shared.storage.outbox import PENDING_FILTER

    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while loop.time() < end:
        counts = [
            await runtime.db[name].count_documents(PENDING_FILTER) for name in OUTBOX_COLLECTIONS
        ]
        if not any(counts):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the outbox did not drain")


async def measured(
    label: str, body: Callable[[], Awaitable[Any]], n: int, profile: cProfile.Profile | None
) -> float:
    cpu, wall = time.process_time(), time.perf_counter()
    if profile is not None:
        profile.enable()
    result = await body()
    if profile is not None:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per = cpu / n * 1000
    print(f"{label}: {per:.2f} ms CPU/request, {n / wall:.0f} req/s wall, {result}", flush=True)
    return per


async def main(args: argparse.Namespace) -> None:
    import httpx

    from nkohub_events.app import create_app
    from nkohub_events.settings import EventsSettings
    from tests.events.conftest import meetup_body

    servers = discover()
    sandbox = create_sandbox(servers)
    bare_db = f"{sandbox.prefix}_bare"
    try:
        settings = EventsSettings(
            **sandbox.settings("events", trusted_proxies=["127.0.0.1"], log_level="WARNING")
        )
        app = create_app(settings)
        runtime = app.state.runtime
        await runtime.start()
        import baseline_app

        baseline_app.MONGO = servers.mongodb_url
        bare = baseline_app.create_app(bare_db, 10)
        bare_life = bare.router.lifespan_context(bare)
        await bare_life.__aenter__()
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                staff = staff_headers()
                made = await client.post("/api/v1/meetups", json=meetup_body(), headers=staff)
                mid = made.json()["meetup_id"]
                r = await client.post(f"/api/v1/meetups/{mid}/publish", headers=staff)
                assert r.status_code == 200, r.text
            path = f"/api/v1/meetups/{mid}/registrations"
            await drive(app, path, "warm", 100)
            await outbox_drained(runtime)
            events_cpu, bare_cpu = [], []
            for k in range(args.rounds):
                last = k == args.rounds - 1
                profile = cProfile.Profile(time.process_time) if args.profile and last else None
                run = uuid.uuid4().hex[:8]

                async def events_round(run: str = run) -> Any:
                    began = time.perf_counter()
                    statuses = await drive(app, path, run, args.requests)
                    answered = args.requests / (time.perf_counter() - began)
                    await outbox_drained(runtime)
                    return {"answered_per_s": round(answered), **statuses}

                TIMES.database = runtime.db.name
                TIMES.times.clear()
                events_cpu.append(await measured("events", events_round, args.requests, profile))
                TIMES.report(args.requests)
                if profile is not None:
                    profile.dump_stats(args.profile)

                async def bare_round(run: str = run) -> Any:
                    return await drive(bare, "/register", run, args.requests)

                bare_cpu.append(await measured("bare", bare_round, args.requests, None))
            e, b = statistics.median(events_cpu), statistics.median(bare_cpu)
            print(f"median: events {e:.2f} ms, bare {b:.2f} ms, CPU ratio bare/events {b / e:.2f}")
        finally:
            await bare_life.__aexit__(None, None, None)
            await runtime.stop()
    finally:
        destroy_sandbox(sandbox)
        from pymongo import MongoClient

        MongoClient(servers.mongodb_url).drop_database(bare_db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="")
    asyncio.run(main(parser.parse_args()))
