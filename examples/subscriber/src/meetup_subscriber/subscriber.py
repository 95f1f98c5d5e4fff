"""The subscriber: its own queue for live events, the history stream for what came before.

Live: a durable quorum queue of its own (``Settings.queue``), bound to the ``nkohub``
exchange by the types it wants, with a delivery limit and a dead-letter queue. A broken
message is dead-lettered at once; a handler that fails is retried until the limit, then
dead-lettered; a type this package does not know is skipped. The connection is robust: after
a broker restart it reconnects and the durable queue has kept what arrived meanwhile.

Replay (``Settings.replay_from`` on the first start): the queue is declared and bound first,
so from then on every event lands in it; the history stream is read from the requested
point at the same time. Each event is handled once, whichever way it comes first (its id is
recorded with its effect). The replay ends when it reaches an event the live queue has
already delivered: from there on the queue has everything. Its progress (the next offset)
is stored with each event, so an interrupted replay resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from faststream import AckPolicy, FastStream
from faststream.exceptions import RejectMessage
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas import Channel
from nkohub_contracts import MalformedEvent, UnknownEventType, decode
from nkohub_contracts.wire import EXCHANGE_NAME, HISTORY_STREAM_NAME

from meetup_subscriber.settings import ReplayFrom, Settings
from meetup_subscriber.store import Store

log = logging.getLogger("meetup_subscriber")

# The platform declares its exchange and the history stream; a subscriber only checks that
# they are there (declare=False), so it needs no right to configure them.
EXCHANGE = RabbitExchange(EXCHANGE_NAME, type=ExchangeType.TOPIC, durable=True, declare=False)
HISTORY = RabbitQueue(HISTORY_STREAM_NAME, queue_type=QueueType.STREAM, declare=False)
HISTORY_PREFETCH = 100  # a stream consumer must set one


def live_queue(settings: Settings) -> RabbitQueue:
    return RabbitQueue(
        settings.queue,
        queue_type=QueueType.QUORUM,
        durable=True,
        arguments={
            "x-delivery-limit": settings.delivery_limit,
            # dead letters go through the default exchange straight to <queue>.dead-letter
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": settings.dead_letter_queue,
        },
    )


def dead_letter_queue(settings: Settings) -> RabbitQueue:
    return RabbitQueue(settings.dead_letter_queue, queue_type=QueueType.QUORUM, durable=True)


async def _raw_body(message: Any) -> bytes:
    return bytes(message.body)


class MeetupSubscriber:
    """Counts attendance per meetup from the platform's events (``store.attendance_per_meetup``).

    ``app`` is the FastStream application (``python -m meetup_subscriber`` runs it);
    ``start``/``stop`` do the same in a program or a test of your own.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.database)
        self.broker = RabbitBroker(
            settings.amqp_url,
            default_channel=Channel(prefetch_count=settings.prefetch),
            logger=log,
            log_level=logging.DEBUG,  # one line per message only when asked for
        )
        self.app = FastStream(self.broker, logger=log)
        self.app.on_startup(self._declare_dead_letters)
        self.app.after_startup(self._bind_and_replay)
        self.app.on_shutdown(self.stop_replay)
        self.broker.subscriber(
            live_queue(settings),
            ack_policy=AckPolicy.NACK_ON_ERROR,  # a failed handler: requeued, up to the limit
            decoder=_raw_body,
            title=f"{settings.queue}:consume",
        )(self._on_live)
        self.replay_done = asyncio.Event()
        self._replay_task: asyncio.Task[None] | None = None
        self._next_offset = 0

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        await self._declare_dead_letters()
        await self.broker.start()
        await self._bind_and_replay()

    async def stop(self) -> None:
        await self.stop_replay()
        await self.broker.stop()
        self.store.close()

    async def _declare_dead_letters(self) -> None:
        """Before consuming: a message dead-lettered to a queue that does not exist is lost."""
        await self.broker.connect()
        await self.broker.declare_queue(dead_letter_queue(self.settings))

    async def _bind_and_replay(self) -> None:
        exchange = await self.broker.declare_exchange(EXCHANGE)
        queue = await self.broker.declare_queue(live_queue(self.settings))
        for model in self.settings.wanted:
            await queue.bind(exchange, routing_key=model.type)  # type: ignore[attr-defined]
        await self._start_replay()

    # --- live ---------------------------------------------------------------------------

    async def _on_live(self, body: bytes, message: RabbitMessage) -> None:
        try:
            event = decode(body)
        except MalformedEvent as exc:
            log.error("dead-lettering a broken message %s: %s", message.message_id, exc)
            raise RejectMessage() from None  # never requeued: to the dead-letter queue
        except UnknownEventType as exc:
            log.warning("skipping %s: %s", message.message_id, exc)
            return  # acknowledged: a type (or version) this package does not know
        if not isinstance(event.data, self.settings.wanted):
            return
        if event.unknown_fields:
            log.info("%s carries fields of a newer version: %s", event.id, event.unknown_fields)
        if self.store.handle(event, "live") == "history":
            self._replay_met_live(event.id)

    # --- replay -------------------------------------------------------------------------

    async def _start_replay(self) -> None:
        state = self.store.replay()
        if state is None:
            if self.settings.replay_from is None:
                self.replay_done.set()
                return
            state = self.store.begin_replay(_describe(self.settings.replay_from))
        if state.done_at is not None:
            log.info("history replayed (done %s); to rebuild, use a new store", state.done_at)
            self.replay_done.set()
            return
        start = state.next_offset if state.next_offset is not None else _parse(state.started_from)
        self._next_offset = start if isinstance(start, int) else 0
        # A channel of its own (a stream consumer must set a prefetch; an error on it must not
        # close the live queue's channel), read in order by one loop: the stored offset is
        # only ever the next one not yet handled.
        stream = await self.broker.config.declarer.declare_queue(
            HISTORY, channel=Channel(prefetch_count=HISTORY_PREFETCH)
        )
        log.info("replaying %s from %s", HISTORY_STREAM_NAME, start)
        self._replay_task = asyncio.create_task(self._replay(stream, start))

    async def _replay(self, stream: Any, start: ReplayFrom) -> None:
        # Deliveries go into a queue of our own, taken in order by this one loop. (Not
        # aio-pika's queue iterator: closing it rejects what it holds, and a stream answers
        # a reject by closing the whole connection.)
        deliveries: asyncio.Queue[Any] = asyncio.Queue()
        await stream.consume(deliveries.put, arguments={"x-stream-offset": start})
        try:
            while not self.replay_done.is_set():
                message = await deliveries.get()
                offset = int(message.headers["x-stream-offset"])
                # after a reconnect the consumer starts again from ``start``: skip what was
                # handled already
                if offset >= self._next_offset and not self.replay_done.is_set():
                    self._replay_one(bytes(message.body), offset)
                await message.ack()  # a stream keeps its messages: the ack grants credit
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("replay stopped; the next start resumes at offset %s", self._next_offset)
        finally:
            with contextlib.suppress(Exception):  # its own channel, not needed any more
                await asyncio.shield(stream.channel.close())

    def _replay_one(self, body: bytes, offset: int) -> None:
        self._next_offset = offset + 1
        try:
            event = decode(body)
        except (MalformedEvent, UnknownEventType) as exc:
            log.warning("history offset %s skipped: %s", offset, exc)
            self.store.advance_replay(offset + 1)
            return
        if not isinstance(event.data, self.settings.wanted):
            self.store.advance_replay(offset + 1)
            return
        if self.store.handle(event, "history", next_offset=offset + 1) == "live":
            self._replay_met_live(event.id)

    def _replay_met_live(self, event_id: str) -> None:
        """An event came both ways: the stream has reached events routed after the queue
        was bound, and the queue holds everything from there on."""
        if self.replay_done.is_set():
            return
        self.store.finish_replay()
        self.replay_done.set()
        log.info("replay met the live queue at event %s; live only from here", event_id)
        task = self._replay_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()  # it may be waiting for the stream's next message

    async def stop_replay(self) -> None:
        task, self._replay_task = self._replay_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _describe(start: ReplayFrom) -> str:
    if isinstance(start, datetime):
        return f"time:{start.isoformat()}"
    if isinstance(start, int):
        return f"offset:{start}"
    return "first"


def _parse(text: str) -> ReplayFrom:
    kind, _, value = text.partition(":")
    if kind == "time":
        return datetime.fromisoformat(value)
    if kind == "offset":
        return int(value)
    return "first"
