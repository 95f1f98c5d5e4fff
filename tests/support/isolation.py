"""A fresh RabbitMQ vhost and fresh database names for each test."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from pymongo import MongoClient

from nkohub_shared.keys import new_secret, new_signing_key
from tests.support.servers import Servers

# Keys of this test run (fresh each run, the same for every service it starts).
STAFF_TOKEN_PRIVATE_KEY, STAFF_TOKEN_PUBLIC_KEY = new_signing_key()
LINK_SECRET = new_secret()
PERSON_KEY_SECRET = new_secret()
WEBHOOK_SECRET = new_secret()


@dataclass
class Sandbox:
    """Where one test's services live: a vhost and a database name prefix."""

    servers: Servers
    vhost: str
    prefix: str

    @property
    def amqp_url(self) -> str:
        return self.servers.amqp_url_for(self.vhost)

    def database(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def settings(self, service: str, **overrides: object) -> dict[str, object]:
        """Keyword arguments for a service's Settings class."""
        return {
            "mongodb_url": self.servers.mongodb_url,
            "mongodb_database": self.database(service),
            "amqp_url": self.amqp_url,
            "staff_token_public_key": STAFF_TOKEN_PUBLIC_KEY,
            "link_secret": LINK_SECRET,
            "person_key_secret": PERSON_KEY_SECRET,
            "webhook_secret": WEBHOOK_SECRET,
            "outbox_sweep_seconds": 0.5,
            "retry_backoff_seconds": 0.05,
            "inbox_lease_seconds": 5.0,
            **overrides,
        }

    def env(self, service: str, **overrides: object) -> dict[str, str]:
        """Environment variables for a service started as a separate process."""
        return {
            f"NKOHUB_{key.upper()}": str(value)
            for key, value in self.settings(service, **overrides).items()
        }


def _management(servers: Servers) -> httpx.Client:
    return httpx.Client(base_url=servers.management_url, auth=servers.amqp_credentials, timeout=30)


def create_sandbox(servers: Servers) -> Sandbox:
    token = uuid.uuid4().hex[:10]
    vhost = f"test-{token}"
    with _management(servers) as api:
        api.put(f"/api/vhosts/{quote(vhost, safe='')}").raise_for_status()
        user = servers.amqp_credentials[0]
        api.put(
            f"/api/permissions/{quote(vhost, safe='')}/{user}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
        ).raise_for_status()
    return Sandbox(servers, vhost, f"t{token}")


def destroy_sandbox(sandbox: Sandbox) -> None:
    with _management(sandbox.servers) as api:
        api.delete(f"/api/vhosts/{quote(sandbox.vhost, safe='')}")
    client: MongoClient = MongoClient(sandbox.servers.mongodb_url)
    try:
        for name in client.list_database_names():
            if name.startswith(sandbox.prefix + "_"):
                client.drop_database(name)
    finally:
        client.close()
