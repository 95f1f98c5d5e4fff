"""What one operation costs this Python process in CPU: a PyMongo command, a confirmed
aio-pika publish, and the bare endpoint's own work, so that a write path's CPU per request
can be read as a sum of the operations it does.

    uv run python bench/op_cpu.py [--ops 5000] [--in-flight 16] [--rounds 3]

Each kind runs ``--ops`` operations, ``--in-flight`` at a time (as a loaded service
would), and prints this process's CPU time (``time.process_time``) per operation, the
mean of ``--rounds`` rounds, and the ratio against the cheapest kind measured in the same
run (``find_one`` by ``_id``). The store's and the broker's own CPU are not in it: these
are the costs a service's single event loop pays, the one core it has. Needs the test
servers (``NKOHUB_TEST_MONGODB_URL``, ``NKOHUB_TEST_AMQP_URL``); uses a database and a
vhost of its own and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aio_pika  # noqa: E402
from pymongo import AsyncMongoClient, ReturnDocument  # noqa: E402

from tests.support.isolation import create_sandbox, destroy_sandbox  # noqa: E402
from tests.support.servers import discover  # noqa: E402

Operation = Callable[[int], Awaitable[object]]


async def cpu_per_op(operation: Operation, ops: int, in_flight: int) -> float:
    """CPU milliseconds of this process per operation, ``in_flight`` at a time."""
    queue = iter(range(ops))

    async def worker() -> None:
        for i in queue:
            await operation(i)

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return 1000 * (time.process_time() - cpu) / ops


async def main(args: argparse.Namespace) -> None:
    servers = discover()
    sandbox = create_sandbox(servers)
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_url)
    db = client[sandbox.database("opcpu")]
    connection = await aio_pika.connect_robust(sandbox.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("opcpu", aio_pika.ExchangeType.TOPIC)
        queue = await channel.declare_queue(
            "opcpu", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, "#")
        docs = db["docs"]
        await docs.insert_many([{"_id": i, "n": 0, "name": f"doc {i}"} for i in range(1000)])
        body = b'{"specversion":"1.0","type":"x.y.z","data":{"id":"' + b"x" * 200 + b'"}}'
        run = uuid.uuid4().hex

        async def find_one(i: int) -> object:
            return await docs.find_one({"_id": i % 1000})

        async def update_one(i: int) -> object:
            return await docs.update_one({"_id": i % 1000}, {"$inc": {"n": 1}})

        async def find_one_and_update(i: int) -> object:
            return await docs.find_one_and_update(
                {"_id": i % 1000, "n": {"$gte": 0}},
                {"$inc": {"n": 1}},
                return_document=ReturnDocument.AFTER,
            )

        async def insert_one(i: int) -> object:
            return await docs.insert_one({"_id": f"{run}-{i}-{time.monotonic_ns()}", "n": i})

        async def publish(i: int) -> object:
            message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            return await exchange.publish(message, routing_key="x.y.z")

        kinds: dict[str, Operation] = {
            "find_one by _id": find_one,
            "update_one $inc by _id": update_one,
            "find_one_and_update (conditional)": find_one_and_update,
            "insert_one": insert_one,
            "aio-pika publish, confirmed, persistent, quorum": publish,
        }
        figures: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(args.rounds):
            for name, operation in kinds.items():
                await operation(0)  # warm
                figures[name].append(await cpu_per_op(operation, args.ops, args.in_flight))
            await queue.purge()
        base = statistics.mean(figures["find_one by _id"])
        print(f"{args.ops} operations per kind, {args.in_flight} in flight, {args.rounds} rounds")
        for name, values in figures.items():
            mean = statistics.mean(values)
            print(f"{name:<50} {mean:6.3f} ms CPU/op   {mean / base:5.2f}× find_one")
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    finally:
        await connection.close()
        await client.close()
        destroy_sandbox(sandbox)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
