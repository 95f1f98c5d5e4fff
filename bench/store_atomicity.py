"""Does a candidate MongoDB-wire store keep the atomicity the platform relies on?

The platform's guarantees (a meetup's seats, the outbox, idempotent consumers) rest on
single-document atomic writes: a conditional ``find_one_and_update`` / ``update_one`` is
checked and applied as one step, and a unique index refuses a twin. This fires, at once
from many connections:

1. ``--writers`` conditional increments ``{_id, taken: {$lt: seats}} → $inc taken`` for
   ``--seats`` seats (as a registration takes a seat): exactly ``seats`` must succeed and
   the document must end at ``seats``;
2. the same number of plain ``$inc`` on one counter: none may be lost;
3. inserts of the same unique key from every writer: exactly one may succeed.

    uv run python bench/store_atomicity.py mongodb://127.0.0.1:27017 [--rounds 5]

Prints what each round got and exits non-zero on a violation. The database is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from pymongo import AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError


async def one_round(db, writers: int, seats: int) -> list[str]:
    problems: list[str] = []
    await db.seats.insert_one({"_id": "m", "taken": 0})
    await db.counter.insert_one({"_id": "c", "n": 0})
    await db.people.create_indexes([IndexModel([("email", 1)], unique=True, name="email")])

    async def take() -> bool:
        done = await db.seats.find_one_and_update(
            {"_id": "m", "taken": {"$lt": seats}}, {"$inc": {"taken": 1}}
        )
        return done is not None

    async def count() -> None:
        await db.counter.update_one({"_id": "c"}, {"$inc": {"n": 1}})

    async def join() -> bool:
        try:
            await db.people.insert_one({"_id": uuid.uuid4().hex, "email": "one@example.ru"})
            return True
        except DuplicateKeyError:
            return False

    taken = await asyncio.gather(*(take() for _ in range(writers)))
    await asyncio.gather(*(count() for _ in range(writers)))
    joined = await asyncio.gather(*(join() for _ in range(writers)))
    seat_doc = await db.seats.find_one({"_id": "m"})
    counter = await db.counter.find_one({"_id": "c"})
    if sum(taken) != seats or seat_doc["taken"] != seats:
        problems.append(
            f"seats: {sum(taken)} conditional increments succeeded and the document holds "
            f"{seat_doc['taken']}, for {seats} seats"
        )
    if counter["n"] != writers:
        problems.append(f"counter: {counter['n']} of {writers} increments kept")
    if sum(joined) != 1:
        problems.append(f"unique index: {sum(joined)} inserts of one key succeeded")
    for name in ("seats", "counter", "people"):
        await db.drop_collection(name)
    return problems


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--writers", type=int, default=200)
    parser.add_argument("--seats", type=int, default=65)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    client: AsyncMongoClient = AsyncMongoClient(args.url, maxPoolSize=args.writers)
    name = f"atomicity_{uuid.uuid4().hex[:8]}"
    violations = 0
    try:
        info = await client.server_info()
        print(f"{args.url}: version {info.get('version')}")
        for n in range(1, args.rounds + 1):
            problems = await one_round(client[name], args.writers, args.seats)
            violations += len(problems)
            print(f"round {n}: " + ("; ".join(problems) if problems else "atomic"))
    finally:
        await client.drop_database(name)
        await client.close()
    print(f"{violations} violation(s) in {args.rounds} rounds")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
