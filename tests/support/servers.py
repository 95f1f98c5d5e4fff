"""Finding the real servers tests talk to.

In this order: ``NKOHUB_TEST_MONGODB_URL`` / ``NKOHUB_TEST_AMQP_URL``; else testcontainers
(``mongo:7``, ``rabbitmq:4-management``) when a Docker engine answers; else the run stops at
once and names the command that starts the local servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOCAL_SERVERS_COMMAND = "bash deploy/local/platform.sh servers"


@dataclass
class Servers:
    mongodb_url: str
    amqp_url: str  # without a vhost path
    management_url: str
    rabbitmqctl: list[str] | None  # how to run rabbitmqctl against this broker
    _containers: list[object] = field(default_factory=list)

    def amqp_url_for(self, vhost: str) -> str:
        return f"{self.amqp_url.rstrip('/')}/{vhost}"

    @property
    def amqp_credentials(self) -> tuple[str, str]:
        parts = urlsplit(self.amqp_url)
        return parts.username or "guest", parts.password or "guest"

    def stop(self) -> None:
        for container in self._containers:
            container.stop()  # type: ignore[attr-defined]


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _from_environment() -> Servers | None:
    mongodb_url = os.environ.get("NKOHUB_TEST_MONGODB_URL")
    amqp_url = os.environ.get("NKOHUB_TEST_AMQP_URL")
    if not (mongodb_url and amqp_url):
        return None
    host = urlsplit(amqp_url).hostname or "localhost"
    management = os.environ.get("NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL", f"http://{host}:15672")
    ctl = os.environ.get("NKOHUB_TEST_RABBITMQCTL")
    if ctl:
        rabbitmqctl: list[str] | None = ctl.split()
    elif host in {"127.0.0.1", "localhost", "::1"} and shutil.which("rabbitmqctl"):
        rabbitmqctl = ["rabbitmqctl"]
    else:
        rabbitmqctl = None
    return Servers(mongodb_url, amqp_url.rstrip("/"), management.rstrip("/"), rabbitmqctl)


def _from_testcontainers() -> Servers:
    from testcontainers.mongodb import MongoDbContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    mongo = MongoDbContainer("mongo:7").start()
    rabbit = RabbitMqContainer("rabbitmq:4-management").with_exposed_ports(5672, 15672).start()
    host = rabbit.get_container_host_ip()
    amqp = f"amqp://guest:guest@{host}:{rabbit.get_exposed_port(5672)}"
    management = f"http://{host}:{rabbit.get_exposed_port(15672)}"
    container_id = rabbit.get_wrapped_container().id
    return Servers(
        mongo.get_connection_url(),
        amqp,
        management,
        ["docker", "exec", container_id, "rabbitmqctl"],
        [mongo, rabbit],
    )


class NoServers(RuntimeError):
    pass


def discover() -> Servers:
    servers = _from_environment()
    if servers is not None:
        return servers
    if _docker_answers():
        return _from_testcontainers()
    raise NoServers(
        "no MongoDB/RabbitMQ for the tests: set NKOHUB_TEST_MONGODB_URL and "
        "NKOHUB_TEST_AMQP_URL, run with a Docker engine, or start the local servers with "
        f"`{LOCAL_SERVERS_COMMAND}` (then use `bash deploy/local/platform.sh test`)"
    )
