"""Telegram: the Bot API's ``sendMessage`` with the message's text part (a stub: never
run against Telegram)."""

from __future__ import annotations

from typing import Any

import httpx

from nkohub_notifications.domain.messages import Delivery, Outcome, http_outcome
from nkohub_notifications.settings import NotificationsSettings


class TelegramConnection:
    API = "https://api.telegram.org"

    def __init__(self, settings: NotificationsSettings, client: httpx.AsyncClient) -> None:
        self._client = client
        self._token = settings.telegram_bot_token

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        if self._token is None:
            return Delivery(outcome=Outcome.PERMANENT, detail="telegram channel not configured")
        url = f"{self.API}/bot{self._token.get_secret_value()}/sendMessage"
        text = f"{message['subject']}\n\n{message['text']}"[:4096]
        try:
            response = await self._client.post(url, json={"chat_id": message["to"], "text": text})
        except httpx.HTTPError as exc:
            return Delivery(outcome=Outcome.TEMPORARY, detail=f"{type(exc).__name__}: {exc}")
        return Delivery(outcome=http_outcome(response.status_code), detail=response.text[:300])

    async def close(self) -> None:
        return None
