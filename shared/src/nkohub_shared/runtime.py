"""A service's runtime: its settings, MongoDB database, broker, outbox relay and consumers.

Each service builds one in its ``app`` module and hands it to the HTTP app factory,
whose lifespan starts and stops it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from aio_pika.abc import AbstractQueue
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from faststream.specification import AsyncAPI
from pymongo import ASCENDING, IndexModel

from nkohub_contracts import IntegrationEvent
from nkohub_shared.bus.cachenotes import CacheNotes, CachePolicy
from nkohub_shared.bus.consumer import EventConsumer
from nkohub_shared.bus.deadletters import DeadLetterQueues, Selection, apply_expiry_policy
from nkohub_shared.bus.delivery import DeliveryPolicy
from nkohub_shared.bus.erasure import dead_letter_erasure
from nkohub_shared.bus.inbox import COLLECTION as PROCESSED_EVENTS
from nkohub_shared.bus.inbox import Inbox
from nkohub_shared.bus.management import BrokerAddress
from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.bus.relay import OutboxRelay
from nkohub_shared.bus.topology import EXCHANGE, HistoryRetention, declare_platform
from nkohub_shared.cancellation import being_cancelled
from nkohub_shared.cluster import failover_connection, node_urls
from nkohub_shared.metrics import ServiceMetrics
from nkohub_shared.privacy import use_person_key_secret
from nkohub_shared.settings import ServiceSettings
from nkohub_shared.storage.mongo import create_client, ensure_indexes, ping_database
from nkohub_shared.storage.outbox import PENDING_INDEX, outbox_backlog
from nkohub_shared.storage.ratebatch import BatchedRateCounter
from nkohub_shared.storage.ratelimit import INDEXES as RATE_LIMIT_INDEXES
from nkohub_shared.storage.writeclock import WriteClock
from nkohub_shared.storage.writer import Outbox
from nkohub_shared.tracing import configure_tracing

log = logging.getLogger("nkohub.runtime")

Ctx = TypeVar("Ctx")
S = TypeVar("S", bound=ServiceSettings)
BackgroundJob = Callable[[Any], Awaitable[None]]

READINESS_TIMEOUT_SECONDS = 2.0
RATE_LIMIT_PURGE_SECONDS = 600.0
POLICY_TIMEOUT_SECONDS = 5.0
STOP_STEP_SECONDS = 20.0


async def _bounded(step: Awaitable[Any], what: str) -> None:
    task = asyncio.ensure_future(step)
    done, _ = await asyncio.wait({task}, timeout=STOP_STEP_SECONDS)
    if not done:
        task.cancel()
        log.warning("stopping the %s took over %.0f s; left behind", what, STOP_STEP_SECONDS)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("stopping the %s failed: %r", what, task.exception())


class ServiceRuntime(Generic[S, Ctx]):
    """Generic over the service's settings class ``S`` (so ``runtime.settings`` is typed)
    and its context ``Ctx`` (built once by ``context_factory``)."""

    def __init__(
        self,
        settings: S,
        *,
        context_factory: Callable[[ServiceRuntime[S, Ctx]], Ctx],
        produces: Sequence[type[IntegrationEvent]] = (),
        consumers: Sequence[EventConsumer[Ctx]] = (),
        indexes: Mapping[str, Sequence[IndexModel]] | None = None,
        outbox_collections: Sequence[str] = (),
        background: Sequence[BackgroundJob] = (),
        inbox: Inbox | None = None,
        public_caches: CachePolicy | None = None,
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        use_person_key_secret(settings.person_key_secret.get_secret_value())
        otlp = str(settings.otlp_endpoint) if settings.otlp_endpoint else None
        configure_tracing(self.service, settings.replica, otlp)
        # this replica's writes (and, with ``public_caches``, the other replicas' notes)
        self.writes = (
            WriteClock(
                ttl_seconds=public_caches.ttl_seconds,
                fallback_ttl_seconds=public_caches.fallback_ttl_seconds,
                of_client=True,
            )
            if public_caches
            else WriteClock(of_client=True)
        )
        self.client = create_client(
            str(settings.mongodb_url),
            timeout_ms=settings.mongodb_connect_timeout_ms,
            socket_timeout_ms=settings.mongodb_socket_timeout_ms,
            operation_timeout_ms=settings.mongodb_operation_timeout_ms,
            event_listeners=[self.writes],
        )
        self.db = self.client[settings.database_name]
        self.broker = RabbitBroker(
            str(settings.amqp_url),
            default_channel=Channel(prefetch_count=settings.prefetch_count),
            log_level=logging.DEBUG,
        )
        if settings.amqp_nodes:  # a cluster: connect to any node, move on when it dies
            urls = node_urls(str(settings.amqp_url), settings.amqp_nodes)
            self.broker._connection_kwargs["connection_class"] = failover_connection(urls)
        self.publisher = EventPublisher(self.broker)
        self.relay = OutboxRelay(
            self.db, outbox_collections, self.publisher, sweep_seconds=settings.outbox_sweep_seconds
        )
        self.outbox = Outbox(self.relay.kick)
        self.inbox = inbox or Inbox(self.db, lease_seconds=settings.inbox_lease_seconds)
        self.outbox_collections = tuple(outbox_collections)
        self.produces = tuple(produces)
        self.consumers = (*consumers, dead_letter_erasure(self.service, self.forget_dead_letters))
        self.indexes: dict[str, list[IndexModel]] = {
            name: list(models) for name, models in (indexes or {}).items()
        }
        for name in outbox_collections:
            self.indexes.setdefault(name, []).append(PENDING_INDEX)
        self.indexes[PROCESSED_EVENTS] = [IndexModel([("queue", ASCENDING), ("state", ASCENDING)])]
        self.indexes.update(RATE_LIMIT_INDEXES)
        self.rate_limits = BatchedRateCounter(self.db)  # counts grouped (storage.ratebatch)
        self._background = (*background, _purge_rate_limits)
        self.cache_notes: CacheNotes | None = None
        if public_caches is not None:
            self.cache_notes = CacheNotes(self.service, self.writes, public_caches)
            self.cache_notes.subscribe(self.broker)
            self._background = (*self._background, _send_cache_notes)
        self._dead_letter_queues: dict[str, AbstractQueue] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.metrics = ServiceMetrics(self.service)
        self.context = context_factory(self)
        self.delivery_policy = DeliveryPolicy(
            delivery_limit=settings.delivery_limit,
            backoff_seconds=settings.retry_backoff_seconds,
            prefetch_count=settings.prefetch_count,
            outage_retry_max_seconds=settings.outage_retry_max_seconds,
            outage_hold_seconds=settings.outage_hold_seconds,
            observer=self.metrics,
        )
        for consumer in self.consumers:
            consumer.subscribe(
                self.broker, inbox=self.inbox, context=self.context, policy=self.delivery_policy
            )
        for event_cls in self.produces:  # documentation only: the relay does the publishing
            self.broker.publisher(
                exchange=EXCHANGE,
                routing_key=event_cls.type,
                title=f"{event_cls.type}:publish",
                description=(event_cls.__doc__ or "").strip(),
                schema=event_cls,
            )

    async def start(self) -> None:
        self.delivery_policy.stopping.clear()
        await ensure_indexes(self.db, self.indexes)
        await self.broker.connect()
        history = HistoryRetention(self.settings.history_max_bytes, self.settings.history_max_age)
        await declare_platform(self.broker, history)
        for consumer in self.consumers:
            dlq = await consumer.declare(self.broker, delivery_limit=self.settings.delivery_limit)
            self._dead_letter_queues[dlq.name] = dlq
        await self._expire_dead_letters()
        await self.broker.start()
        self.relay.start()
        for job in self._background:
            name = f"background:{getattr(job, '__name__', 'job')}"
            self._tasks.append(asyncio.create_task(self._keep_running(job), name=name))
        log.info("service started", extra={"database": self.settings.database_name})

    async def stop(self) -> None:
        """Stop background jobs, the relay, the broker and the client, each within
        ``STOP_STEP_SECONDS``: a step that hangs is logged and left, never blocking exit."""
        self.delivery_policy.stopping.set()  # deliveries held through an outage let go
        for task in self._tasks:
            task.cancel()
        await _bounded(asyncio.gather(*self._tasks, return_exceptions=True), "background jobs")
        self._tasks.clear()
        await _bounded(self.relay.stop(), "outbox relay")
        await _bounded(self.broker.stop(), "broker")
        await _bounded(self.client.close(), "MongoDB client")

    async def readiness(self) -> dict[str, str]:
        """``{"mongodb": "ok"|error, "rabbitmq": "ok"|error}``."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping_database(self.db), READINESS_TIMEOUT_SECONDS)
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"unavailable: {exc.__class__.__name__}"
        try:
            alive = await self.broker.ping(timeout=READINESS_TIMEOUT_SECONDS)
            checks["rabbitmq"] = "ok" if alive else "unavailable: no connection"
        except Exception as exc:
            checks["rabbitmq"] = f"unavailable: {exc.__class__.__name__}"
        return checks

    async def dead_letters(self) -> dict[str, int]:
        """Messages in each dead-letter queue of this service's consumers (-1: unknown,
        the broker did not answer)."""
        depths: dict[str, int] = {}
        for name, queue in self._dead_letter_queues.items():
            try:
                declared = await queue.declare(timeout=READINESS_TIMEOUT_SECONDS)
                depths[name] = int(declared.message_count or 0)
            except Exception:
                depths[name] = -1
        return depths

    async def refresh_metrics(self) -> None:
        """Read the gauges that live in MongoDB and RabbitMQ (what cannot be read is NaN)."""
        if self.outbox_collections:
            try:
                pending, age = await asyncio.wait_for(
                    outbox_backlog(self.db, self.outbox_collections), READINESS_TIMEOUT_SECONDS
                )
                self.metrics.set_outbox(pending, age)
            except Exception:
                self.metrics.set_outbox(math.nan, math.nan)
        if self._dead_letter_queues:
            self.metrics.set_dead_letters(await self.dead_letters())
        await self.metrics.read_scrape_gauges(READINESS_TIMEOUT_SECONDS)

    async def _expire_dead_letters(self) -> None:
        """Set the vhost's dead-letter expiry policy (best effort: a broker user without
        the right, or no management API, leaves a warning and the policy as it is)."""
        days = self.settings.dead_letter_expiry_days
        if not self.consumers or days <= 0:
            return
        address = self._broker_address()
        try:
            await asyncio.wait_for(apply_expiry_policy(address, days), POLICY_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning("dead-letter expiry policy not set: %r", exc)

    def _broker_address(self) -> BrokerAddress:
        return BrokerAddress.of(
            str(self.settings.amqp_url),
            str(self.settings.rabbitmq_management_url or "") or None,
        )

    async def forget_dead_letters(self, person_keys: list[str]) -> int:
        """Drop the dead letters of this service's queues that name these people."""
        selection = Selection(person_keys=frozenset(person_keys))
        purged = 0
        async with DeadLetterQueues(self._broker_address()) as queues:
            for name in list(self._dead_letter_queues):
                purged += await queues.purge(name, selection)
        if purged:
            log.info("erased dead letters", extra={"dead_letters": purged})
        return purged

    def asyncapi(self) -> dict[str, Any]:
        spec = AsyncAPI(
            self.broker,
            title=f"nkohub {self.service}",
            version="1.0.0",
            description=(
                f"Events the {self.service} service publishes to and consumes from the "
                "`nkohub` topic exchange (CloudEvents 1.0, structured JSON mode)."
            ),
        )
        return spec.to_specification().to_jsonable()

    async def _keep_running(self, job: BackgroundJob) -> None:
        """Run a periodic job (scheduler, sweeper); restart it after an unexpected error."""
        while True:
            try:
                await job(self.context)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if being_cancelled():  # the stop reached the job as another error
                    raise
                log.exception("background job %s failed; restarting", job.__name__)
                await asyncio.sleep(1.0)


async def _send_cache_notes(context: Any) -> None:
    """Services with public caches: tell the other replicas what this one wrote."""
    runtime = context.runtime
    await runtime.cache_notes.send(runtime.broker)


async def _purge_rate_limits(context: Any) -> None:
    """Every service: delete the rate-limit counters of windows that ended."""
    while True:
        await asyncio.sleep(RATE_LIMIT_PURGE_SECONDS)
        await context.runtime.rate_limits.purge()
