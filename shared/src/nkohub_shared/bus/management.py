"""RabbitMQ's management HTTP API, for what AMQP cannot do: list queues, set policies.

Its address defaults to the AMQP URL's host on port 15672 with the same credentials;
``NKOHUB_RABBITMQ_MANAGEMENT_URL`` (e.g. ``https://rabbit.example:15671``) overrides it.
The vhost is the AMQP URL's path (``/`` when empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

MANAGEMENT_PORT = 15672


@dataclass(frozen=True)
class BrokerAddress:
    amqp_url: str
    management_url: str  # without credentials or path
    vhost: str
    username: str
    password: str

    @classmethod
    def of(cls, amqp_url: str, management_url: str | None = None) -> BrokerAddress:
        parts = urlsplit(amqp_url)
        vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        if management_url is None:
            management_url = f"http://{parts.hostname or 'localhost'}:{MANAGEMENT_PORT}"
        return cls(
            amqp_url=amqp_url,
            management_url=management_url.rstrip("/"),
            vhost=vhost,
            username=unquote(parts.username or "guest"),
            password=unquote(parts.password or "guest"),
        )


class ManagementApi:
    """The few management calls the platform makes, for one vhost."""

    def __init__(self, address: BrokerAddress, *, timeout: float = 10.0) -> None:
        self._address = address
        self._vhost = quote(address.vhost, safe="")
        self._timeout = timeout

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._address.management_url,
            auth=(self._address.username, self._address.password),
            timeout=self._timeout,
        )

    async def queues(self) -> list[dict[str, Any]]:
        """The vhost's queues: ``name``, ``messages``, ``policy`` … as the API gives them."""
        async with self._client() as api:
            response = await api.get(f"/api/queues/{self._vhost}")
            response.raise_for_status()
            return list(response.json())

    async def put_policy(
        self, name: str, *, pattern: str, definition: dict[str, Any], priority: int = 0
    ) -> None:
        async with self._client() as api:
            response = await api.put(
                f"/api/policies/{self._vhost}/{quote(name, safe='')}",
                json={
                    "pattern": pattern,
                    "definition": definition,
                    "priority": priority,
                    "apply-to": "queues",
                },
            )
            response.raise_for_status()

    async def policy(self, name: str) -> dict[str, Any] | None:
        async with self._client() as api:
            response = await api.get(f"/api/policies/{self._vhost}/{quote(name, safe='')}")
            if response.status_code == 404:
                return None
            response.raise_for_status()
            return dict(response.json())
