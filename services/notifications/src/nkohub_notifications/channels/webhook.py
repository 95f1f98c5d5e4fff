"""Webhooks: the CloudEvent itself, POSTed as JSON and signed with HMAC-SHA256."""

from __future__ import annotations

import json
from typing import Any

import httpx

from nkohub_notifications.domain.messages import Delivery, Outcome, http_outcome, webhook_signature
from nkohub_notifications.settings import NotificationsSettings

SIGNATURE_HEADER = "X-Nkohub-Signature"


class WebhookConnection:
    def __init__(self, settings: NotificationsSettings, client: httpx.AsyncClient) -> None:
        self._client = client
        self._secret = settings.webhook_secret.get_secret_value()

    def signature(self, body: bytes) -> str:
        return webhook_signature(self._secret, body)

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        body = json.dumps(message["payload"], ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/cloudevents+json",
            SIGNATURE_HEADER: self.signature(body),
        }
        try:
            response = await self._client.post(message["to"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Delivery(outcome=Outcome.TEMPORARY, detail=f"{type(exc).__name__}: {exc}")
        return Delivery(
            outcome=http_outcome(response.status_code), detail=str(response.status_code)
        )

    async def close(self) -> None:
        return None
