"""Reading the history stream and the management API's view of it, for the tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx

from nkohub_contracts.wire import HISTORY_STREAM_NAME
from tests.support.isolation import Sandbox

Entry = tuple[int, dict[str, Any]]  # (stream offset, envelope)


async def read_history(
    amqp_url: str, until: Callable[[list[Entry]], bool], timeout: float = 30.0
) -> list[Entry]:
    """Read ``nkohub.history`` from its first offset until ``until(entries)`` holds."""
    entries: list[Entry] = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=100)
        stream = await channel.declare_queue(HISTORY_STREAM_NAME, passive=True)

        async def consume() -> None:
            async with stream.iterator(arguments={"x-stream-offset": "first"}) as messages:
                async for message in messages:
                    entries.append(
                        (int(message.headers["x-stream-offset"]), json.loads(message.body))
                    )  # type: ignore[arg-type]
                    await message.ack()
                    if until(entries):
                        return

        await asyncio.wait_for(consume(), timeout)
    return entries


def management(sandbox: Sandbox) -> httpx.Client:
    servers = sandbox.servers
    return httpx.Client(base_url=servers.management_url, auth=servers.amqp_credentials, timeout=30)


def queue_info(sandbox: Sandbox, name: str) -> dict[str, Any] | None:
    with management(sandbox) as api:
        answer = api.get(f"/api/queues/{quote(sandbox.vhost, safe='')}/{quote(name, safe='')}")
    return None if answer.status_code == 404 else answer.raise_for_status().json()


def bindings_of(sandbox: Sandbox, name: str) -> list[tuple[str, str]]:
    """(exchange, routing key) of every binding of a queue, the default one left out."""
    with management(sandbox) as api:
        answer = api.get(
            f"/api/queues/{quote(sandbox.vhost, safe='')}/{quote(name, safe='')}/bindings"
        )
    return sorted(
        (b["source"], b["routing_key"]) for b in answer.raise_for_status().json() if b["source"]
    )


def connections_of(sandbox: Sandbox) -> list[str]:
    """Client connections of the sandbox's vhost (the management API lists a new one after
    its next statistics tick)."""
    with management(sandbox) as api:
        listed = api.get(f"/api/vhosts/{quote(sandbox.vhost, safe='')}/connections")
    return [c["name"] for c in listed.raise_for_status().json()]


def close_connections(sandbox: Sandbox, names: list[str]) -> None:
    """Close client connections from the broker's side, as a broker going down does (only
    this test's vhost: the broker is shared)."""
    with management(sandbox) as api:
        for name in names:
            api.delete(
                f"/api/connections/{quote(name, safe='')}",
                headers={"X-Reason": "test: the broker went away"},
            )
