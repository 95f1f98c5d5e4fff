"""A minimal service built from the shared plumbing, to test it from outside.

As a producer it stores probes, each with a ``tests.probe.recorded``-like event in its
outbox (``POST /probes``). As a consumer it applies each event's effect: one increment of
a counter per probe. Handlers fail on purpose while ``fail_times`` says so, and report
an outage of their infrastructure (``InfrastructureUnavailable``) for the first
``outage_times`` attempts. With
``PROBE_CRASH_BEFORE_PUBLISH=1`` the process SIGKILLs itself when the relay is about to
publish: the database write is done, the publish is not. ``PROBE_HANDLE_SECONDS`` makes
each handling take that long.

Run: ``python -m tests.support.probe_service`` with ``PROBE_ROLE=producer|consumer``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from nkohub_contracts import CloudEvent, IntegrationEvent, new_event
from nkohub_shared.availability import InfrastructureUnavailable
from nkohub_shared.bus import EventConsumer
from nkohub_shared.bus.publisher import EventPublisher
from nkohub_shared.errors import NotFound
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.serve import serve
from nkohub_shared.settings import ServiceSettings
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.web.app import create_service_app
from nkohub_shared.web.auth import MaybeStaff, StaffUser


class ProbeRecorded(IntegrationEvent):
    """A probe was stored (test-only contract, not in the catalogue)."""

    type: ClassVar[str] = "events.probe.recorded"
    key: str
    fail_times: int = 0
    outage_times: int = 0

    def subject(self) -> str:
        return self.key


class ProbeSettings(ServiceSettings):
    service_name: ClassVar[str] = "probe"
    default_port: ClassVar[int] = 8999


@dataclass
class ProbeContext:
    runtime: ServiceRuntime[Any, ProbeContext]


HANDLE_SECONDS = float(os.environ.get("PROBE_HANDLE_SECONDS", "0"))
counter = EventConsumer[ProbeContext]("probe", "counter")


@counter.on(ProbeRecorded)
async def probe_recorded(ctx: ProbeContext, event: ProbeRecorded, envelope: CloudEvent) -> None:
    db = ctx.runtime.db
    attempts = await db.attempts.find_one_and_update(
        {"_id": event.key}, {"$inc": {"n": 1}}, upsert=True, return_document=True
    )
    if attempts["n"] <= event.outage_times:
        raise InfrastructureUnavailable(f"an outage on purpose, attempt {attempts['n']}")
    if attempts["n"] <= event.outage_times + event.fail_times:
        raise RuntimeError(f"failing on purpose, attempt {attempts['n']}")
    if HANDLE_SECONDS:  # a slow handler, so that a stream takes long enough to interrupt
        await asyncio.sleep(HANDLE_SECONDS)
    await apply_once(
        db.effects,
        {"_id": event.key},
        {"$inc": {"applied": 1}, "$push": {"events": envelope.id}},
        envelope.id,
        upsert=True,
    )


class ProbeIn(BaseModel):
    keys: list[str] = Field(min_length=1, max_length=5000)
    fail_times: int = 0


def build_app(settings: ProbeSettings) -> FastAPI:
    role = os.environ.get("PROBE_ROLE", "producer")
    runtime = ServiceRuntime(
        settings,
        context_factory=ProbeContext,
        produces=[ProbeRecorded] if role == "producer" else [],
        consumers=[counter] if role == "consumer" else [],
        outbox_collections=["probes"] if role == "producer" else [],
    )
    if os.environ.get("PROBE_CRASH_BEFORE_PUBLISH") == "1":
        runtime.relay._publisher = _CrashingPublisher()  # type: ignore[assignment]
    router = APIRouter()

    @router.post("/probes")
    async def record(body: ProbeIn) -> dict[str, Any]:
        items = [
            ({"_id": key}, [new_event(ProbeRecorded(key=key, fail_times=body.fail_times))])
            for key in body.keys
        ]
        stored = await runtime.outbox.writer(runtime.db.probes).insert_many(items)
        return {"stored": stored}

    @router.get("/probes/{key}")
    async def stored(key: str) -> dict[str, Any]:
        found = await runtime.db.probes.find_one({"_id": key}, {"_outbox": 0})
        if found is None:
            raise NotFound(f"no probe {key!r}")
        return found

    @router.get("/staff-only")
    async def staff_only(user: StaffUser) -> dict[str, str]:
        return {"sub": user.sub, "role": user.role.value}

    @router.post("/probes/batch")
    async def record_batch(body: ProbeIn) -> dict[str, Any]:
        return await record(body)

    @router.post("/staff-only")
    async def staff_post(body: ProbeIn, user: StaffUser) -> dict[str, int]:
        return {"keys": len(body.keys)}

    @router.get("/maybe-staff")
    async def maybe_staff(user: MaybeStaff) -> dict[str, bool]:
        return {"staff": user is not None}

    @router.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<!doctype html><title>probe</title><p>probe</p>"

    return create_service_app(runtime, routers=[router])


class _CrashingPublisher(EventPublisher):
    def __init__(self) -> None:  # never publishes
        pass

    async def publish(self, envelope: Any) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    serve(ProbeSettings, build_app)
