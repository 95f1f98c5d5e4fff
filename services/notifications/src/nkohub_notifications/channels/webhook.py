"""Webhooks: the CloudEvent itself, POSTed as JSON and signed with HMAC-SHA256, to a
target checked at every send (``channels.targets``): the request goes to the address
that was checked, with the URL's host in ``Host`` and TLS's SNI, and no redirect is
followed."""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from nkohub_notifications.channels.targets import CheckedTarget, WebhookTargets
from nkohub_notifications.domain.messages import Delivery, Outcome, http_outcome, webhook_signature
from nkohub_notifications.domain.targets import TargetRefused
from nkohub_notifications.settings import NotificationsSettings

SIGNATURE_HEADER = "X-Nkohub-Signature"


def pinned(url: str, target: CheckedTarget) -> str:
    """``url`` with its host replaced by the checked address (port, path, query kept)."""
    parts = urlsplit(url)
    address = target.address
    if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address):
        address = f"[{address}]"
    netloc = f"{address}:{parts.port}" if parts.port else address
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class WebhookConnection:
    def __init__(
        self, settings: NotificationsSettings, client: httpx.AsyncClient, targets: WebhookTargets
    ) -> None:
        self._client = client
        self._secret = settings.webhook_secret.get_secret_value()
        self._targets = targets

    def signature(self, body: bytes) -> str:
        return webhook_signature(self._secret, body)

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        url = message["to"]
        try:
            target = await self._targets.check(url)
        except TargetRefused as refused:
            return Delivery(outcome=Outcome.PERMANENT, detail=str(refused))
        body = json.dumps(message["payload"], ensure_ascii=False, separators=(",", ":")).encode()
        port = urlsplit(url).port
        host = f"[{target.host}]" if ":" in target.host else target.host
        headers = {
            "Host": f"{host}:{port}" if port else host,
            "Content-Type": "application/cloudevents+json",
            SIGNATURE_HEADER: self.signature(body),
        }
        try:
            response = await self._client.post(
                pinned(url, target),
                content=body,
                headers=headers,
                extensions={"sni_hostname": target.host},
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            return Delivery(outcome=Outcome.TEMPORARY, detail=f"{type(exc).__name__}: {exc}")
        return Delivery(
            outcome=http_outcome(response.status_code), detail=str(response.status_code)
        )

    async def close(self) -> None:
        return None
