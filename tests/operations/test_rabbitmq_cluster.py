"""A 3-node RabbitMQ cluster (deploy/local/rabbitmq-cluster.sh: Debian's package, nodes of
their own on ports 5701–5703) under the events and notifications services, which know all
three nodes (``NKOHUB_AMQP_NODES``). Registrations keep coming while the node the services
are connected to is SIGKILLed and later started again: the quorum queues keep going, every
registration is confirmed by exactly one e-mail, and nothing is dead-lettered."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.settings import NotificationsSettings
from tests.support.broker import wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.notifications_smtp import SmtpRecorder, address

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy/local/rabbitmq-cluster.sh"
BASE = int(os.environ.get("NKOHUB_TEST_CLUSTER_PORT_BASE", "5700"))
PEOPLE = 60
KILL_AFTER, RESTART_AFTER = 20, 40


class Cluster:
    def __init__(self, state: Path) -> None:
        self.env = {
            **os.environ,
            "NKOHUB_CLUSTER_STATE": str(state),
            "NKOHUB_CLUSTER_PORT_BASE": str(BASE),
        }
        self.nodes = [f"127.0.0.1:{BASE + n}" for n in (1, 2, 3)]
        self.management = f"http://127.0.0.1:{10000 + BASE + 1}"

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    async def run_async(self, *args: str) -> str:
        return await asyncio.to_thread(self.run, *args)

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.management, auth=("guest", "guest"), timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("rabbitmq-cluster"))
    cluster.run("up")
    yield cluster
    cluster.run("down")


@pytest.fixture
def vhost(cluster):
    name = f"cluster-{os.urandom(4).hex()}"
    with cluster.api() as api:
        api.put(f"/api/vhosts/{name}").raise_for_status()
        api.put(
            f"/api/permissions/{name}/guest", json={"configure": ".*", "write": ".*", "read": ".*"}
        ).raise_for_status()
    yield name
    with cluster.api() as api:
        api.delete(f"/api/vhosts/{name}")


@pytest.fixture
def smtp():
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


def on_cluster(sandbox, cluster: Cluster, vhost: str, service: str, **extra):
    return sandbox.settings(
        service,
        amqp_url=f"amqp://guest:guest@{cluster.nodes[0]}/{quote(vhost, safe='')}",
        amqp_nodes=cluster.nodes,
        rabbitmq_management_url=cluster.management,
        **extra,
    )


async def test_a_node_killed_mid_season_loses_nothing_and_doubles_nothing(
    sandbox, cluster, vhost, smtp
):
    events = events_app(
        EventsSettings(
            **on_cluster(
                sandbox,
                cluster,
                vhost,
                "events",
                registrations_per_client_per_meetup=PEOPLE,
                form_posts_per_client_per_hour=1000,
            )
        )
    )
    notifications = notifications_app(
        NotificationsSettings(
            **on_cluster(
                sandbox,
                cluster,
                vhost,
                "notifications",
                email_rate_per_second=0,
                sender_poll_seconds=0.2,
                **smtp.settings(),
            )
        )
    )
    staff = staff_headers()
    async with running(notifications), running(events) as http:
        meetup = (
            await http.post(
                "/api/v1/meetups",
                headers=staff,
                json={
                    "title": "Встреча на кластере",
                    "starts_at": "2030-03-28T15:00:00+04:00",
                    "ends_at": "2030-03-28T17:00:00+04:00",
                    "venue": {"name": "ПНБ", "address": "Глазов"},
                    "capacity": 65,
                },
            )
        ).json()
        mid = meetup["meetup_id"]
        assert (await http.post(f"/api/v1/meetups/{mid}/publish", headers=staff)).status_code == 200

        def confirmations() -> Counter[str]:
            return Counter(address(m) for m in smtp.messages if "подтверждена" in m["Subject"])

        emails = [f"cluster{i}@example.org" for i in range(PEOPLE)]
        for i, email in enumerate(emails):
            if i == KILL_AFTER:
                await cluster.run_async("kill", "1")  # the node both services are on
            if i == RESTART_AFTER:
                # The services moved to the living nodes: what was registered while node 1
                # was down is confirmed before it comes back.
                try:
                    await wait_until(
                        lambda i=i: set(emails[:i]) <= set(confirmations()), timeout=120, every=0.5
                    )
                except TimeoutError:
                    pytest.fail(f"with node 1 down, {len(confirmations())} of {i} confirmed")
                await cluster.run_async("start", "1")
            answer = await http.post(
                f"/api/v1/meetups/{mid}/registrations",
                json={
                    "name": f"Участник {i}",
                    "email": email,
                    "role": "activist",
                    "consent_personal_data": True,
                },
            )
            assert answer.status_code == 201, answer.text
            assert answer.json()["status"] == "confirmed"
            await asyncio.sleep(0.2)  # a stream, not a burst

        try:
            await wait_until(lambda: set(confirmations()) == set(emails), timeout=240, every=0.5)
        except TimeoutError:
            pytest.fail(f"{len(confirmations())} of {PEOPLE} confirmations arrived")
        await asyncio.sleep(3)  # a late duplicate would arrive now
        assert confirmations() == Counter(emails), "each registration confirmed exactly once"

    with cluster.api() as api:
        queues = api.get(f"/api/queues/{vhost}").json()
        nodes = api.get("/api/nodes").json()
    assert sorted(n["name"] for n in nodes if n["running"]) == [
        f"nkohub-{n}@localhost" for n in (1, 2, 3)
    ], "node 1 is back in the cluster"
    consumer_queues = [
        q for q in queues if not q["name"].endswith(".dead-letter") and q["type"] != "stream"
    ]
    assert [q["type"] for q in queues if q["name"] == "nkohub.history"] == ["stream"]
    assert consumer_queues and all(q["type"] == "quorum" for q in consumer_queues)
    assert all(len(q.get("members", [])) == 3 for q in consumer_queues), [
        (q["name"], q.get("members")) for q in consumer_queues
    ]
    dead = {q["name"]: q.get("messages", 0) for q in queues if q["name"].endswith(".dead-letter")}
    assert dead and all(n == 0 for n in dead.values()), json.dumps(dead)
