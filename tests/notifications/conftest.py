"""Fixtures of the notifications suite: a loopback SMTP server, the service in-process,
and helpers to publish real CloudEvents to the sandbox's bus."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from nkohub_contracts import CloudEvent, IntegrationEvent
from nkohub_contracts.common import MeetupSnapshot, Participant, Venue
from nkohub_notifications.app import create_app
from nkohub_notifications.context import NotificationsContext
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.privacy import person_key
from tests.support.broker import publish_events
from tests.support.inprocess import running
from tests.support.isolation import Sandbox
from tests.support.notifications_smtp import SmtpRecorder

FAST = {
    "email_rate_per_second": 0,
    "sender_poll_seconds": 0.1,
    "retry_base_seconds": 0.3,
    "retry_max_seconds": 2.0,
    "scheduler_poll_seconds": 0.2,
    "public_base_url": "https://notify.example.org",
    "events_public_url": "https://events.example.org",
}


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


def notifications_settings(
    sandbox: Sandbox, smtp: SmtpRecorder, **overrides: Any
) -> NotificationsSettings:
    return NotificationsSettings(
        **sandbox.settings("notifications", **{**FAST, **smtp.settings(), **overrides})
    )


@dataclass
class Service:
    client: httpx.AsyncClient
    ctx: NotificationsContext
    sandbox: Sandbox

    @property
    def db(self) -> Any:
        return self.ctx.runtime.db

    async def publish(
        self, data: IntegrationEvent, envelope: CloudEvent | None = None
    ) -> CloudEvent:
        return await publish(self.sandbox, data, envelope)

    async def messages(self, **filter: Any) -> list[dict[str, Any]]:
        return [m async for m in self.db.messages.find(filter)]


@contextlib.asynccontextmanager
async def start_service(
    sandbox: Sandbox, smtp: SmtpRecorder, **overrides: Any
) -> AsyncIterator[Service]:
    app = create_app(notifications_settings(sandbox, smtp, **overrides))
    async with running(app) as client:
        yield Service(client, app.state.runtime.context, sandbox)


@pytest.fixture
async def service(sandbox: Sandbox, smtp: SmtpRecorder) -> AsyncIterator[Service]:
    async with start_service(sandbox, smtp) as svc:
        yield svc


@pytest.fixture
async def ordered_service(sandbox: Sandbox, smtp: SmtpRecorder) -> AsyncIterator[Service]:
    """One event at a time per queue (prefetch 1): an event seen handled proves every
    event published before it to the same queue was handled too."""
    async with start_service(sandbox, smtp, prefetch_count=1) as svc:
        yield svc


async def handled(service: Service, envelope: CloudEvent) -> bool:
    """The service is done with this event: its processed-events record, or, for a handler
    whose one write records the event itself (the organizations read model), that write."""
    record = await service.db.processed_events.find_one({"event_id": envelope.id, "state": "done"})
    if record is not None:
        return True
    return await service.db.organizations.find_one({"_applied": envelope.id}) is not None


async def none_queued(service: Service) -> bool:
    """Nothing left to send."""
    busy = {"status": {"$in": ["queued", "sending"]}}
    return await service.db.messages.count_documents(busy) == 0


@pytest.fixture
async def mongo(sandbox: Sandbox) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        sandbox.servers.mongodb_url, tz_aware=True
    )
    yield client[sandbox.database("notifications")]
    await client.close()


async def publish(
    sandbox: Sandbox, data: IntegrationEvent, envelope: CloudEvent | None = None
) -> CloudEvent:
    """Publish a real envelope (or the same one again) to the ``nkohub`` exchange."""
    (published,) = await publish_events(sandbox.amqp_url, envelope or data)
    return published


# --- sample domain data ---------------------------------------------------------------


def meetup(
    *,
    starts_in: timedelta = timedelta(days=10),
    sequence: int = 0,
    meetup_id: str | None = None,
    **changes: Any,
) -> MeetupSnapshot:
    starts = datetime.now(UTC).replace(microsecond=0) + starts_in
    fields: dict[str, Any] = {
        "meetup_id": meetup_id or f"m-{uuid.uuid4().hex[:8]}",
        "slug": "otkrytoe-obshchenie",
        "title": "Открытое общение: отчётность НКО",
        "kind": "meetup",
        "description": "Консультации и вопросы к главе города.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue": Venue(name="ПНБ им. В.Г. Короленко", address="г. Глазов, ул. Ленина, 1"),
        "capacity": 65,
        "public_url": "https://events.example.org/meetups/otkrytoe-obshchenie",
        "sequence": sequence,
    }
    fields.update(changes)
    return MeetupSnapshot(**fields)


def participant(name: str = "Мария Петрова", email: str | None = None, **extra: Any) -> Participant:
    email = email or f"{uuid.uuid4().hex[:8]}@example.org"
    return Participant(
        person_key=person_key(email), name=name, email=email, role="ngo_representative", **extra
    )


def reg_id() -> str:
    return f"r-{uuid.uuid4().hex[:8]}"
