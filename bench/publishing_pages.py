"""Requests per second of the blog's public pages with N posts in the database.

Loads N published posts (Markdown bodies of a few paragraphs, rendered and sanitised by the
service's own code, categories and tags spread out) and a few grant competitions into a
database of its own, starts the publishing service as ONE uvicorn worker in a separate
process (``python -m nkohub_publishing``), and drives it with C concurrent keep-alive
clients for D seconds per case:

- ``home``: ``GET /`` (latest posts + upcoming deadlines);
- ``post (returning visitor)``: ``GET /posts/<slug>`` over random posts, one user agent,
  so after the first view per post the view counter only finds the visit already counted;
- ``post (new visitors)``: the same with a new user agent on every request, so every
  request counts a view (four single-document writes).

    uv run python bench/publishing_pages.py [--posts 2000] [--seconds 10] [--concurrency 16]

Needs RabbitMQ (NKOHUB_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672, management
on NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL) and MongoDB (NKOHUB_TEST_MONGODB_URL, default
mongodb://127.0.0.1:27017); the vhost and database are its own and removed afterwards.
Not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nkohub_publishing import domain  # noqa: E402
from nkohub_publishing.repository import INDEXES  # noqa: E402
from nkohub_shared.storage.mongo import ensure_indexes  # noqa: E402

AMQP = os.environ.get("NKOHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/")
MONGO = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
MANAGEMENT = os.environ.get("NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"

WORDS = [
    "грант",
    "конкурс",
    "заявка",
    "фонд",
    "проект",
    "бюджет",
    "социальный",
    "некоммерческий",
    "организация",
    "город",
    "библиотека",
    "встреча",
    "консультация",
    "отчёт",
    "методика",
    "цель",
    "задача",
    "результат",
    "партнёр",
    "волонтёр",
    "молодёжь",
    "спорт",
    "культура",
    "экология",
    "животные",
    "история",
    "шахматы",
    "дети",
]
TAGS = ["гранты", "фпг", "методичка", "отчётность", "митап", "налоги", "юристы", "молодёжь"]


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def post_document(n: int, rng: random.Random, now: datetime) -> dict:
    title = f"{paragraph(rng, 5)[:-1]} {n}"
    body = "\n\n".join(
        [
            paragraph(rng, 60),
            f"## {paragraph(rng, 4)[:-1]}",
            "- " + paragraph(rng, 8) + "\n- " + paragraph(rng, 8),
            f"Подробнее на [сайте фонда](https://fund.example/{n}). " + paragraph(rng, 80),
        ]
    )
    published = now - timedelta(hours=n)
    return {
        "_id": uuid.uuid4().hex,
        "title": title,
        "slug": f"{domain.make_slug(title)}-{n}",
        "slug_explicit": False,
        "body": body,
        "category": rng.choice(list(domain.Category)).value,
        "tags": rng.sample(TAGS, 2),
        "cover_image_url": None,
        "attachments": [],
        "author": "Библиотекарь",
        "status": "published",
        "published_at": published,
        "publish_at": None,
        "created_at": published,
        "updated_at": published,
        "views": 0,
        **domain.rendered_fields(title, body, None),
    }


async def load(database: str, count: int) -> list[str]:
    client: AsyncMongoClient = AsyncMongoClient(MONGO, tz_aware=True)
    try:
        db = client[database]
        await ensure_indexes(db, INDEXES)
        rng = random.Random(7)
        now = datetime.now(UTC)
        docs = [post_document(n, rng, now) for n in range(count)]
        for start in range(0, count, 500):
            await db.posts.insert_many(docs[start : start + 500])
        await db.slugs.insert_many([{"_id": d["slug"], "post_id": d["_id"]} for d in docs])
        await db.competitions.insert_many(
            [
                {
                    "_id": uuid.uuid4().hex,
                    "name": f"Конкурс {i}",
                    "operator": "Фонд президентских грантов",
                    "closes_at": now + timedelta(days=5 + 7 * i),
                    "max_amount": 500_000 * (i + 1),
                }
                for i in range(12)
            ]
        )
        return [d["slug"] for d in docs]
    finally:
        await client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def drive(
    base: str, paths: list[str], seconds: float, concurrency: int, new_visitors: bool
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    rng = random.Random(11)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            path = rng.choice(paths)
            agent = f"bench/{uuid.uuid4().hex}" if new_visitors else "Mozilla/5.0 bench"
            started = time.perf_counter()
            response = await client.get(path, headers={"User-Agent": agent})
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for path in paths[:3]:  # warm up
            await client.get(path)
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    with httpx.Client(base_url=MANAGEMENT, auth=auth) as api:
        api.put(f"/api/vhosts/{vhost}").raise_for_status()
        api.put(
            f"/api/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"}
        ).raise_for_status()
    database = f"bench_{vhost.replace('-', '_')}"
    process: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        slugs = await load(database, args.posts)
        print(f"loaded {len(slugs)} posts in {time.perf_counter() - started:.1f}s")
        port = free_port()
        env = {
            **os.environ,
            "NKOHUB_MONGODB_URL": MONGO,
            "NKOHUB_MONGODB_DATABASE": database,
            "NKOHUB_AMQP_URL": f"{AMQP}/{vhost}",
            "NKOHUB_JWT_SECRET": SECRET,
            "NKOHUB_HTTP_HOST": "127.0.0.1",
            "NKOHUB_HTTP_PORT": str(port),
            "NKOHUB_LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "nkohub_publishing"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise SystemExit("the service did not start")

        print(
            f"one uvicorn worker; {args.concurrency} concurrent clients, {args.seconds:.0f}s each;"
            f" {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs,"
            f" Python {platform.python_version()}"
        )
        print(f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        posts = [f"/posts/{s}" for s in slugs]
        cases = [
            ("home /", ["/"], False),
            ("post (returning visitor)", posts, False),
            ("post (new visitors)", posts, True),
        ]
        for name, paths, fresh in cases:
            rps, latencies, errors = await drive(base, paths, args.seconds, args.concurrency, fresh)
            print(
                f"{name:32} {rps:8.1f} {ms(latencies, 0.5):8.1f} {ms(latencies, 0.95):8.1f}"
                f" {ms(latencies, 0.99):8.1f} {errors:7d}"
            )
        print(f"(median latency over all: {statistics.median(latencies) * 1000:.1f} ms)")
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        client: AsyncMongoClient = AsyncMongoClient(MONGO)
        await client.drop_database(database)
        await client.close()
        with httpx.Client(base_url=MANAGEMENT, auth=auth) as api:
            api.delete(f"/api/vhosts/{vhost}")


if __name__ == "__main__":
    asyncio.run(main())
