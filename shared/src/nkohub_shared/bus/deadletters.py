"""Dead letters: reading, replaying and purging them, and the policy that expires them.

Each consumer queue ``<queue>`` dead-letters into ``<queue>.dead-letter`` (see
``topology``). A dead letter keeps its body, message id and headers; RabbitMQ's
``x-death`` header names the queue it died in, why (``rejected``: it could never
succeed; ``delivery_limit``: it failed every delivery) and its original routing key,
which is the event type.

Reading takes messages with ``basic.get`` and keeps them unacknowledged; what is not
replayed or purged goes back when the channel closes. RabbitMQ counts that return as a
delivery of the dead letter, so the expiry policy also lifts the delivery limit
RabbitMQ 4 gives quorum queues by default (20), which would otherwise drop a dead letter
read 20 times.

Replaying republishes a dead letter to the ``nkohub`` exchange with its original routing
key and message id (publisher confirms, ``mandatory``), then acks it: every consumer
bound to the type gets it again, and those that already handled it skip it as a
duplicate. A crash between the publish and the ack replays it twice, absorbed the same way.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pamqp.commands import Basic

from nkohub_shared.bus.management import BrokerAddress, ManagementApi
from nkohub_shared.bus.topology import EXCHANGE_NAME, dead_letter_queue_name
from nkohub_shared.privacy import person_key

DEAD_LETTER_SUFFIX = dead_letter_queue_name("")
EXPIRY_POLICY = "nkohub-dead-letters"
EXPIRY_POLICY_PATTERN = r"\.dead-letter$"
EXPIRY_POLICY_PRIORITY = 1
DEAD_LETTER_DELIVERY_LIMIT = 100_000  # reading a dead letter must never drop it
DEFAULT_EXPIRY_DAYS = 14.0
MAX_READ = 100_000
REPLAY_HEADER = "x-nkohub-replayed-from"
_BROKER_HEADERS = ("x-death", "x-delivery-count", "x-first-death-", "x-last-death-")


# An e-mail address in text that is not JSON: no nested quantifiers, linear time.
_ADDRESS = re.compile(r"[^\s\"'<>,;:()\[\]]{1,64}@[^\s\"'<>,;:()\[\]]{1,255}")


def mentions_person(body: bytes, person_keys: frozenset[str]) -> bool:
    """Whether a message names one of these people: a value equal to one of their keys
    (``person_key`` fields) or an e-mail address whose key is one of them. A body that is
    not JSON is searched for addresses as text."""
    text = body.decode("utf-8", "replace")
    try:
        values = list(_strings(json.loads(text)))
    except ValueError:
        values = _ADDRESS.findall(text)
    for value in values:
        if value in person_keys:
            return True
        if "@" in value and len(value) <= 320 and person_key(value) in person_keys:
            return True
    return False


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def dead_letter_queue_of(name: str) -> str:
    """``probe.counter`` or ``probe.counter.dead-letter`` → ``probe.counter.dead-letter``."""
    return name if name.endswith(DEAD_LETTER_SUFFIX) else dead_letter_queue_name(name)


@dataclass(frozen=True)
class Selection:
    """Which dead letters of a queue a command acts on (``None``/empty: any)."""

    event_type: str | None = None
    message_id: str | None = None
    limit: int | None = None
    person_keys: frozenset[str] = frozenset()  # only letters about these people

    def matches(self, letter: DeadLetter) -> bool:
        return (
            (self.event_type is None or letter.event_type == self.event_type)
            and (self.message_id is None or letter.message_id == self.message_id)
            and (not self.person_keys or mentions_person(letter.body, self.person_keys))
        )


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    event_type: str  # the original routing key
    source_queue: str
    reason: str  # rejected | delivery_limit | expired …
    died_at: datetime | None
    body: bytes
    headers: dict[str, Any]
    content_type: str | None

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadLetter:
        headers = dict(message.headers or {})
        deaths = headers.get("x-death") or [{}]
        first = deaths[-1] if isinstance(deaths, list) and deaths else {}
        keys = first.get("routing-keys") or [message.routing_key or "unknown"]
        return cls(
            message_id=message.message_id,
            event_type=str(keys[0]),
            source_queue=str(first.get("queue") or headers.get("x-first-death-queue") or ""),
            reason=str(first.get("reason") or headers.get("x-first-death-reason") or ""),
            died_at=first.get("time") if isinstance(first.get("time"), datetime) else None,
            body=message.body,
            headers=headers,
            content_type=message.content_type,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "type": self.event_type,
            "queue": self.source_queue,
            "reason": self.reason,
            "died_at": self.died_at.isoformat() if self.died_at else None,
            "size": len(self.body),
        }

    def republished(self, dead_letter_queue: str) -> aio_pika.Message:
        headers = {k: v for k, v in self.headers.items() if not k.startswith(_BROKER_HEADERS)}
        headers[REPLAY_HEADER] = dead_letter_queue
        return aio_pika.Message(
            self.body,
            message_id=self.message_id,
            content_type=self.content_type,
            headers=headers,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )


class DeadLetterQueues:
    """The dead-letter queues of one vhost (``async with DeadLetterQueues(address)``)."""

    def __init__(self, address: BrokerAddress) -> None:
        self.address = address
        self._connection: aio_pika.abc.AbstractConnection | None = None

    async def __aenter__(self) -> DeadLetterQueues:
        self._connection = await aio_pika.connect(self.address.amqp_url, timeout=15)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def names(self) -> list[str]:
        """Every dead-letter queue of the vhost (needs the management API)."""
        queues = await ManagementApi(self.address).queues()
        return sorted(q["name"] for q in queues if str(q["name"]).endswith(DEAD_LETTER_SUFFIX))

    async def depth(self, queue: str) -> int:
        async with self._channel() as channel:
            declared = await channel.declare_queue(queue, passive=True)
            return declared.declaration_result.message_count or 0

    async def read(self, queue: str, selection: Selection | None = None) -> list[DeadLetter]:
        """The selected dead letters, left in the queue."""
        async with self._taken(queue, selection) as taken:
            return [letter for letter, _ in taken]

    async def replay(
        self, queue: str, selection: Selection | None = None
    ) -> tuple[list[DeadLetter], list[DeadLetter]]:
        """Republish the selected dead letters to ``nkohub``; returns those replayed and
        those kept because no queue is bound for their type any more."""
        replayed: list[DeadLetter] = []
        kept: list[DeadLetter] = []
        async with self._channel(confirms=True) as channel, self._taken(queue, selection) as taken:
            exchange = await channel.get_exchange(EXCHANGE_NAME)
            for letter, message in taken:
                confirmation = await exchange.publish(
                    letter.republished(queue), routing_key=letter.event_type, mandatory=True
                )
                if _returned(confirmation):
                    kept.append(letter)
                    continue
                await message.ack()
                replayed.append(letter)
        return replayed, kept

    async def purge(self, queue: str, selection: Selection | None = None) -> int:
        """Delete the selected dead letters; returns how many."""
        if selection is None or selection == Selection():
            async with self._channel() as channel:
                declared = await channel.declare_queue(queue, passive=True)
                result = await declared.purge()
                return int(result.message_count or 0)
        purged = 0
        async with self._taken(queue, selection) as taken:
            for _, message in taken:
                await message.ack()
                purged += 1
        return purged

    @contextlib.asynccontextmanager
    async def _channel(self, *, confirms: bool = False) -> AsyncIterator[AbstractChannel]:
        assert self._connection is not None, "use DeadLetterQueues in `async with`"
        channel = await self._connection.channel(publisher_confirms=confirms)
        try:
            yield channel
        finally:
            await channel.close()

    @contextlib.asynccontextmanager
    async def _taken(
        self, queue: str, selection: Selection | None
    ) -> AsyncIterator[list[tuple[DeadLetter, AbstractIncomingMessage]]]:
        """Take messages of ``queue`` (unacked) until the selection is full or the queue
        empty, yield the selected ones; whatever is not acked goes back to the queue when
        the channel closes."""
        selection = selection or Selection()
        limit = min(selection.limit or MAX_READ, MAX_READ)
        selected: list[tuple[DeadLetter, AbstractIncomingMessage]] = []
        async with self._channel() as channel:
            declared = await channel.declare_queue(queue, passive=True)
            for _ in range(MAX_READ):
                message = await declared.get(no_ack=False, fail=False, timeout=10)
                if message is None:
                    break
                letter = DeadLetter.of(message)
                if selection.matches(letter):
                    selected.append((letter, message))
                    if len(selected) >= limit:
                        break
            yield selected


def _returned(confirmation: object) -> bool:
    """The broker handed a ``mandatory`` message back: no queue took it."""
    return isinstance(getattr(confirmation, "delivery", None), Basic.Return)


def count_by_type(letters: list[DeadLetter]) -> Iterator[tuple[str, int]]:
    counts: dict[str, int] = {}
    for letter in letters:
        counts[letter.event_type] = counts.get(letter.event_type, 0) + 1
    return iter(sorted(counts.items()))


async def apply_expiry_policy(address: BrokerAddress, days: float) -> dict[str, Any]:
    """Dead letters older than ``days`` expire, in every dead-letter queue of the vhost,
    present and future (a policy: queue arguments cannot change on an existing queue)."""
    definition = {
        "message-ttl": int(days * 86_400_000),
        "delivery-limit": DEAD_LETTER_DELIVERY_LIMIT,
    }
    await ManagementApi(address).put_policy(
        EXPIRY_POLICY,
        pattern=EXPIRY_POLICY_PATTERN,
        definition=definition,
        priority=EXPIRY_POLICY_PRIORITY,
    )
    return definition
