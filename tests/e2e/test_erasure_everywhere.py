"""One person erased from the whole platform, as an auditor would check it.

Four service processes on real servers. A person's data enters every service through the
paths the public and staff use (the registry's record, a self-registration naming her, a
meetup she speaks at, her registration, question, consultation and feedback, a newsletter
subscription, the mails sent to her, a message about her that could not be handled and lies
in a dead-letter queue). An admin erases her in the registry. Then every event the platform
ever published is delivered again — as it was (a redelivery) and under new ids (a late
copy) — and nothing of her may be found in any collection of any service's database or in
any dead-letter queue."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx
import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from nkohub_contracts import CLOUDEVENTS_CONTENT_TYPE
from nkohub_demo.numbers import inn10, ogrn
from nkohub_shared.privacy import person_key
from tests.support.broker import event_spy, wait_until
from tests.support.inprocess import staff_headers
from tests.support.platform import SERVICES

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

STAFF = staff_headers()
ADMIN = staff_headers(role="admin", sub="admin")
NAME = "Ефросинья Стиралкина"
EMAIL = "Efrosinya.Stiralkina@example.org"
PHONE = "+7 912 000-77-66"
TRACES = ("стиралкин", "stiralkina", "000-77-66")
CONSENT = {
    "purpose": "участие во встречах",
    "text_version": "2026-01",
    "given_at": "2026-01-10T10:00:00+04:00",
    "source": "анкета на встрече",
}


async def call(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> Any:
    response = await http.request(method, url, **kwargs)
    assert response.status_code < 400, f"{method} {url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def traces_in_databases(mongo: AsyncMongoClient, databases: list[str]) -> list[str]:
    """Every document of every collection that mentions her, as ``db.collection: text``."""
    found = []
    for name in databases:
        db = mongo[name]
        for collection in await db.list_collection_names():
            async for doc in db[collection].find():
                text = json.dumps(doc, default=json_util.default, ensure_ascii=False).lower()
                if any(trace in text for trace in TRACES):
                    found.append(f"{name}.{collection}: {text[:240]}")
    return found


class Vhost:
    """The test's vhost seen through the management API and AMQP."""

    def __init__(self, sandbox: Any) -> None:
        servers = sandbox.servers
        self.amqp_url = sandbox.amqp_url
        self.vhost = sandbox.vhost
        self.api = httpx.AsyncClient(
            base_url=servers.management_url, auth=servers.amqp_credentials, timeout=15
        )

    async def queues(self) -> list[dict[str, Any]]:
        response = await self.api.get(f"/api/queues/{quote(self.vhost, safe='')}")
        response.raise_for_status()
        return response.json()

    async def idle(self) -> bool:
        """Every consumer queue empty with nothing unacknowledged (dead-letter queues and
        the history stream aside)."""
        busy = [
            q["name"]
            for q in await self.queues()
            if not q["name"].endswith(".dead-letter")
            and q.get("type") != "stream"  # the history keeps what it holds
            and (q.get("messages_ready", 0) or q.get("messages_unacknowledged", 0))
        ]
        return not busy

    async def dead_letters(self) -> dict[str, list[bytes]]:
        """The bodies in every dead-letter queue (taken unacked, returned on close)."""
        bodies: dict[str, list[bytes]] = {}
        names = [q["name"] for q in await self.queues() if q["name"].endswith(".dead-letter")]
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel()
            for name in names:
                queue = await channel.declare_queue(name, passive=True)
                taken = bodies.setdefault(name, [])
                while (message := await queue.get(no_ack=False, fail=False)) is not None:
                    taken.append(message.body)
        return bodies

    async def publish(self, envelopes: list[dict[str, Any]]) -> None:
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange("nkohub")
            for envelope in envelopes:
                await exchange.publish(
                    aio_pika.Message(
                        json.dumps(envelope).encode(),
                        message_id=envelope["id"],
                        content_type=CLOUDEVENTS_CONTENT_TYPE,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=envelope["type"],
                )


async def settled(vhost: Vhost) -> None:
    """Wait until the platform has handled everything on the bus: every consumer queue idle
    on three polls in a row (a relay that publishes late shows up between polls)."""
    streak = 0

    async def three_idle_polls() -> bool:
        nonlocal streak
        streak = streak + 1 if await vhost.idle() else 0
        return streak >= 3

    await wait_until(three_idle_polls, timeout=90, every=1.0)


def mentions_her(body: bytes) -> bool:
    return any(trace in body.decode("utf-8", "replace").lower() for trace in TRACES)


async def test_a_person_erased_leaves_nothing_anywhere(platform_factory, sandbox, smtp):
    platform = platform_factory(notifications={"sender_poll_seconds": 0.2})
    registry, events, notifications = (platform.url(s) for s in SERVICES[:3])
    vhost = Vhost(sandbox)
    mongo = AsyncMongoClient(sandbox.servers.mongodb_url)
    databases = [sandbox.database(service) for service in SERVICES]
    key = person_key(EMAIL)
    async with event_spy(sandbox.amqp_url, "#") as spy, httpx.AsyncClient(timeout=60) as http:
        # The registry: an organization, her record, and a self-registration naming her.
        org = await call(
            http,
            "POST",
            f"{registry}/api/v1/organizations",
            json={
                "full_name": "АНО «Стирка»",
                "legal_form": "ano",
                "ogrn": ogrn(random.Random(7), year=2016),
                "inn": inn10(random.Random(7)),
                "city": "Глазов",
            },
            headers=STAFF,
        )
        person = await call(
            http,
            "POST",
            f"{registry}/api/v1/people",
            json={
                "full_name": NAME,
                "role": "ngo_representative",
                "organization_ids": [org["id"]],
                "email": EMAIL,
                "phone": PHONE,
                "processing_consent": CONSENT,
            },
            headers=STAFF,
        )
        proposal = await http.post(
            f"{registry}/api/v1/organizations",
            json={
                "full_name": "АНО «Её собственная»",
                "legal_form": "ano",
                "ogrn": ogrn(random.Random(8), year=2018),
                "public_email": EMAIL,
                "public_phone": PHONE,
                "description": "Помогаем соседям.",
            },
        )
        assert proposal.status_code == 202, proposal.text

        # Events: she speaks at a meetup and consults there; she registers, asks, books.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        meetup = await call(
            http,
            "POST",
            f"{events}/api/v1/meetups",
            json={
                "title": "Встреча о стирке данных",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "venue": {"name": "Библиотека", "address": "Глазов"},
                "capacity": 30,
                "program": [
                    {
                        "kind": "talk",
                        "title": "Отчётность НКО",
                        "speaker_name": NAME,
                        "speaker_person_key": key,
                    }
                ],
            },
            headers=STAFF,
        )
        mid = meetup["meetup_id"]
        await call(http, "POST", f"{events}/api/v1/meetups/{mid}/publish", headers=STAFF)
        specialist = await call(
            http,
            "POST",
            f"{events}/api/v1/specialists",
            json={"name": NAME, "specialty": "lawyer", "email": EMAIL},
            headers=STAFF,
        )
        slot = await call(
            http,
            "POST",
            f"{events}/api/v1/meetups/{mid}/consultation-slots",
            json={
                "specialist_id": specialist["specialist_id"],
                "starts_at": (start + timedelta(minutes=30)).isoformat(),
                "duration_minutes": 20,
            },
            headers=STAFF,
        )
        registration = await call(
            http,
            "POST",
            f"{events}/api/v1/meetups/{mid}/registrations",
            json={
                "name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "role": "ngo_representative",
                "organization_id": org["id"],
                "consent_personal_data": True,
            },
        )
        await call(
            http,
            "POST",
            f"{events}/api/v1/consultation-slots/{slot['slot_id']}/booking",
            json={
                "organization_id": org["id"],
                "contact": {"name": NAME, "email": EMAIL, "phone": PHONE},
                "question": f"Вопрос от {NAME}",
                "consent_personal_data": True,
            },
        )
        # Notifications: she subscribes to the newsletter.
        await call(
            http,
            "POST",
            f"{notifications}/api/v1/subscriptions",
            json={"name": NAME, "email": EMAIL, "topics": ["meetups", "grants"], "consent": True},
        )
        # The mails reach her: notifications knows her.
        try:
            await wait_until(lambda: len(smtp.to(EMAIL)) >= 3, timeout=60, every=0.3)
        except TimeoutError:
            pytest.fail(f"mails to her: {[m['Subject'] for m in smtp.to(EMAIL)]}")
        assert registration["status"] == "confirmed"

        # A message about her that no consumer could handle: dead-lettered in each service
        # that takes registrations.
        poison = {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "nkohub/events",
            "type": "events.registration.confirmed",
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "data": {"registration": {"name": NAME, "email": EMAIL}},
        }
        await vhost.publish([poison])
        await settled(vhost)
        dead = await vhost.dead_letters()
        assert any(mentions_her(body) for bodies in dead.values() for body in bodies), dead.keys()

        before = await traces_in_databases(mongo, databases)
        for service in ("registry", "events", "notifications"):
            assert any(t.startswith(sandbox.database(service)) for t in before), service

        # The admin erases her.
        await call(http, "DELETE", f"{registry}/api/v1/people/{person['id']}", headers=ADMIN)

        async def nothing_left() -> bool:
            return not await traces_in_databases(mongo, databases)

        try:
            await wait_until(nothing_left, timeout=60, every=1.0)
        except TimeoutError:
            left = await traces_in_databases(mongo, databases)
            pytest.fail("after the erasure:\n" + "\n".join(left))

        # Everything ever published arrives again: as it was, and under new ids.
        history = [e for e in spy.events if e["id"] != poison["id"]]
        assert {"events.registration.confirmed", "registry.person.erased"} <= {
            e["type"] for e in history
        }
        await vhost.publish(history)
        await vhost.publish([{**e, "id": uuid.uuid4().hex} for e in history])
        await settled(vhost)

        left = await traces_in_databases(mongo, databases)
        assert left == [], "\n".join(left)
        dead = await vhost.dead_letters()
        still = {name: sum(map(mentions_her, bodies)) for name, bodies in dead.items()}
        assert not any(still.values()), still
    await mongo.close()
