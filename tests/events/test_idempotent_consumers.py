"""Handlers whose one write records the event (``EventConsumer.on(..., idempotent=True)``)
keep no processed-events record: the same event delivered twice still has one effect.
On the real broker, through the events service's organization read model (the hottest
consumer: a registry import sends one event per organization) and a bare consumer."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from nkohub_contracts import CloudEvent, IntegrationEvent, new_event
from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.registry import OrganizationRegistered, OrganizationUpdated
from nkohub_shared.bus import EventConsumer
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.settings import ServiceSettings
from nkohub_shared.storage.idempotent import APPLIED_FIELD, ApplyOnce
from tests.events.conftest import consumed
from tests.support.broker import publish_events, queue_depth, wait_until


def organization(name: str) -> OrganizationPublic:
    return OrganizationPublic(
        organization_id="org-twice", full_name=name, legal_form="фонд", ogrn="1021800000077"
    )


async def test_an_organization_event_delivered_twice_is_applied_once_without_a_record(
    events, sandbox
):
    db = events.app.state.runtime.db
    registered = new_event(
        OrganizationRegistered(organization=organization("Фонд «Один»"), source="imported")
    )
    renamed = new_event(
        OrganizationUpdated(organization=organization("Фонд «Два»"), changed=["full_name"])
    )
    # the registration, the same envelope again (a redelivery), the rename, the
    # registration a third time after the rename (late): one effect each, the rename wins
    await publish_events(sandbox.amqp_url, registered, registered, renamed, registered)

    async def settled() -> bool:
        doc = await db["organizations"].find_one({"_id": "org-twice"})
        return doc is not None and len(doc.get(APPLIED_FIELD, [])) == 2

    await wait_until(settled, timeout=20)
    await wait_until(lambda: consumed(events, "events.registry", 4), timeout=20)
    doc = await db["organizations"].find_one({"_id": "org-twice"})
    assert doc["full_name"] == "Фонд «Два»"
    assert sorted(doc[APPLIED_FIELD]) == sorted([registered.id, renamed.id])
    assert await db["processed_events"].count_documents({}) == 0, "no record was kept"


class Counted(IntegrationEvent):
    """A test event: one increment of ``key``'s counter."""

    type: ClassVar[str] = "events.test.counted"
    key: str


class ProbeSettings(ServiceSettings):
    service_name: ClassVar[str] = "probe"


async def test_a_bare_idempotent_consumer_redelivered_and_failing_once_has_one_effect(sandbox):
    consumer = EventConsumer[Any]("probe", "counted")
    failures = {"flaky": 1}  # the first handling of "flaky" fails after its write
    calls: list[str] = []

    @consumer.on(Counted, idempotent=True)
    async def counted(ctx: Any, event: Counted, envelope: CloudEvent) -> None:
        calls.append(event.key)
        await ctx["effects"]({"_id": event.key}, {"$inc": {"n": 1}}, envelope.id, upsert=True)
        if failures.get(event.key):
            failures[event.key] -= 1
            raise RuntimeError("the handler failed after its write")

    settings = ProbeSettings(**sandbox.settings("probe"), log_level="WARNING")
    runtime = ServiceRuntime(
        settings,
        context_factory=lambda rt: {"effects": ApplyOnce(rt.db["effects"])},
        consumers=[consumer],
    )
    await runtime.start()
    try:
        twice = new_event(Counted(key="twice"))
        flaky = new_event(Counted(key="flaky"))
        others = [new_event(Counted(key=f"k{i}")) for i in range(20)]
        await publish_events(sandbox.amqp_url, twice, flaky, *others, twice, *others)
        effects = runtime.db["effects"]
        # every delivery handled: twice twice, flaky twice (a failure, then the retry),
        # the others twice each
        await wait_until(lambda: len(calls) == 2 + 2 + 40, timeout=30)
        await wait_until(lambda: _depth(sandbox.amqp_url, "probe.counted"), timeout=10)
        counts = {d["_id"]: d["n"] async for d in effects.find()}
        assert counts == {"twice": 1, "flaky": 1, **{f"k{i}": 1 for i in range(20)}}
        assert failures == {"flaky": 0}, "the failed handling was retried"
        assert await runtime.db["processed_events"].count_documents({}) == 0
    finally:
        await runtime.stop()


async def _depth(amqp_url: str, queue: str) -> bool:
    """Nothing waits in ``queue``."""
    return await queue_depth(amqp_url, queue) == 0


pytestmark = pytest.mark.timeout(120)
