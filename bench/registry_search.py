"""Search latency of the registry over N generated organizations.

Loads N organizations (names built from NGO-like words, valid ОГРН/ИНН, random activity
areas, legal forms and statuses) into a database of its own through the registry's own
document builder and indexes, then times the repository's ``search`` — the exact code
behind ``GET /api/v1/organizations``: the page query (find + sort + skip + limit) plus the
``count_documents`` for the total — for typical queries, and prints p50/p95/p99.

    uv run python bench/registry_search.py [--count 250000] [--runs 40]

MongoDB: NKOHUB_TEST_MONGODB_URL (default mongodb://127.0.0.1:27017). The database is
dropped afterwards. Not run by the test suite.

This times the repository call alone, at a large scale (250,000 organizations). The search
as the public gets it — over HTTP, one uvicorn worker, against a bare endpoint — is the
``organizations`` case of ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo.errors import OperationFailure

from nkohub_registry.domain.identifiers import make_inn, make_ogrn
from nkohub_registry.domain.organizations import new_document
from nkohub_registry.domain.vocabulary import ActivityArea, Source
from nkohub_registry.repository import INDEXES, OrganizationFilter, OrganizationRepository
from nkohub_shared.storage.mongo import create_client, ensure_indexes
from nkohub_shared.storage.writer import Outbox

FORMS = {
    "ano": "Автономная некоммерческая организация",
    "fund": "Благотворительный фонд",
    "public_organization": "Местная общественная организация",
    "public_movement": "Общественное движение",
    "association": "Ассоциация",
    "tos": "Территориальное общественное самоуправление",
    "religious": "Местная религиозная организация",
    "other": "Некоммерческое партнёрство",
}
WORDS = [
    "центр",
    "клуб",
    "союз",
    "дом",
    "мир",
    "радуга",
    "надежда",
    "доброе",
    "сердце",
    "зелёный",
    "город",
    "молодёжный",
    "спортивный",
    "шахматный",
    "экологический",
    "краеведческий",
    "семейный",
    "детский",
    "ветеранский",
    "культурный",
    "языковой",
    "открытый",
    "будущее",
    "развитие",
    "поддержка",
    "забота",
    "лапа",
    "друг",
    "память",
    "вектор",
    "исток",
    "родник",
    "ёлочка",
    "солнце",
    "парус",
    "мост",
    "перспектива",
    "гармония",
    "искра",
]
CITIES = ["Глазов", "Ижевск", "Сарапул", "Воткинск", "Можга", "Киров", "Пермь", "Казань"]
QUERIES: dict[str, OrganizationFilter] = {
    "first page, no filter": OrganizationFilter(),
    "q=центр (common word)": OrganizationFilter(q="центр"),
    "q=молодежный центр (two words)": OrganizationFilter(q="молодежный центр"),
    "q=шахм (prefix, rarer)": OrganizationFilter(q="шахм"),
    "q=«Ёлочка» (quotes, ё)": OrganizationFilter(q="«Ёлочка»"),
    "activity_area=youth&status=active": OrganizationFilter(activity_area="youth", status="active"),
    "legal_form=fund&q=доброе": OrganizationFilter(legal_form="fund", q="доброе"),
    "city=Глазов": OrganizationFilter(city="Глазов"),
    "q by ОГРН": OrganizationFilter(q="__OGRN__"),
}


def organization(n: int, rng: random.Random) -> dict:
    form = rng.choice(list(FORMS))
    name = " ".join(rng.sample(WORDS, rng.randint(1, 3))).capitalize()
    ogrn = make_ogrn(f"1{rng.randint(2, 24):02d}{rng.randint(1, 99):02d}{n:07d}")
    values = {
        "full_name": f"{FORMS[form]} «{name}»",
        "short_name": None,
        "legal_form": form,
        "ogrn": ogrn,
        "inn": make_inn(f"{rng.randint(10, 99)}{n:07d}"),
        "city": rng.choice(CITIES),
        "activity_areas": rng.sample([a.value for a in ActivityArea], rng.randint(1, 3)),
        "status": rng.choices(["active", "suspended", "liquidated"], [85, 5, 10])[0],
        "registered_on": f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",  # noqa: E501
    }
    return new_document(values, source=Source.IMPORTED, hand_edited=[])


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=250_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument(
        "--database", help="reuse this database (loaded by an earlier --keep run); not dropped"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--timeout-ms", type=int, default=20_000, help="per operation")
    args = parser.parse_args()
    url = os.environ.get("NKOHUB_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
    client = create_client(url, timeout_ms=20_000, socket_timeout_ms=args.timeout_ms)
    name = args.database or f"bench_registry_{uuid.uuid4().hex[:8]}"
    db = client[name]
    rng = random.Random(72)
    try:
        info = await client.server_info()
        print(f"server: {url}  version {info.get('version')}  ({platform.node()})")
        await ensure_indexes(db, INDEXES)
        started = time.perf_counter()
        sample_ogrn = ""
        if args.database:
            middle = await db.organizations.find_one({}, {"ogrn": 1}, skip=args.count // 2)
            sample_ogrn = middle["ogrn"] if middle else ""
        for start in range(0, 0 if args.database else args.count, args.batch):
            docs = [organization(n, rng) for n in range(start, min(args.count, start + args.batch))]
            sample_ogrn = docs[len(docs) // 2]["ogrn"]
            await db.organizations.insert_many(docs, ordered=False)
            done = start + len(docs)
            print(f"\rloaded {done}/{args.count}", end="", flush=True)
        if not args.database:
            took = time.perf_counter() - started
            print(f"\nloaded {args.count} organizations in {took:.1f} s")

        repo = OrganizationRepository(db, Outbox())
        print(
            f"\n{'query':40} {'total':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
            f"   {'of which count p50':>18}"
        )
        for label, flt in QUERIES.items():
            if flt.q == "__OGRN__":
                flt = OrganizationFilter(q=sample_ogrn)
            samples: list[float] = []
            counts: list[float] = []
            total = 0
            errors = 0
            for _ in range(args.runs):
                try:
                    t0 = time.perf_counter()
                    _, total = await repo.search(flt, sort="name", skip=0, limit=20)
                    samples.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    query = await repo._query(flt)  # the search's own query
                    await db.organizations.count_documents(query)
                    counts.append((time.perf_counter() - t0) * 1000)
                except OperationFailure as exc:  # reported, not hidden
                    errors += 1
                    reason = exc.details.get("errmsg") if exc.details else exc
                    print(f"  {label}: server error: {reason}")
            if not samples or not counts:
                print(f"{label:40} no successful run ({errors} errors)")
                continue
            print(
                f"{label:40} {total:>8} {percentile(samples, 50):>8.1f} "
                f"{percentile(samples, 95):>8.1f} {percentile(samples, 99):>8.1f}"
                f"   {percentile(counts, 50):>18.1f}   (mean {statistics.mean(samples):.1f})"
                + (f"  {errors} errors" if errors else "")
            )
    finally:
        if args.database or args.keep:
            print(f"database kept: {name}")
        else:
            await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
