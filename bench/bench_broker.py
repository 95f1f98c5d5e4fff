"""The broker a benchmark runs against, and a vhost of its own there (removed afterwards)."""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

import httpx

AMQP = os.environ.get("NKOHUB_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/")
MANAGEMENT = os.environ.get("NKOHUB_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")


def management_auth() -> tuple[str, str]:
    parts = urlsplit(AMQP)
    return parts.username or "guest", parts.password or "guest"


def create_vhost(vhost: str) -> None:
    auth = management_auth()
    with httpx.Client(base_url=MANAGEMENT, auth=auth, timeout=30) as api:
        api.put(f"/api/vhosts/{quote(vhost, safe='')}").raise_for_status()
        api.put(
            f"/api/permissions/{quote(vhost, safe='')}/{auth[0]}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
        ).raise_for_status()


def delete_vhost(vhost: str) -> None:
    try:
        with httpx.Client(base_url=MANAGEMENT, auth=management_auth(), timeout=30) as api:
            api.delete(f"/api/vhosts/{quote(vhost, safe='')}")
    except httpx.HTTPError as exc:
        print(f"could not delete vhost {vhost}: {exc}")
