"""Telegram: the Bot API's ``sendMessage`` with the message's subject and text part, as
plain text (no ``parse_mode``: nothing in it is read as markup).

Answers: ``{"ok": true}`` → sent; 429 with ``parameters.retry_after`` → retried no
sooner than that; 5xx, 408, 425 or no answer → retried with backoff; any other error
(400 «chat not found», 403 «bot was blocked by the user») → failed. The base URL is a
setting (``telegram_api_url``) so a test can point it at a local server.
"""

from __future__ import annotations

from typing import Any

import httpx

from nkohub_notifications.domain.messages import Delivery, Outcome, http_outcome
from nkohub_notifications.settings import NotificationsSettings

TEXT_MAX = 4096  # sendMessage's limit
DETAIL_MAX = 300


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def delivery_of(response: httpx.Response) -> Delivery:
    """What a Bot API answer means for the message."""
    body = _answer(response)
    if 200 <= response.status_code < 300 and body.get("ok") is True:
        return Delivery(outcome=Outcome.SENT, detail=str(response.status_code))
    description = str(body.get("description") or response.reason_phrase)[:DETAIL_MAX]
    detail = f"{response.status_code} {description}"
    if 200 <= response.status_code < 300:  # 200 without ok: not what the API promises
        return Delivery(outcome=Outcome.TEMPORARY, detail=detail)
    parameters = body.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if not isinstance(retry_after, int | float) or retry_after < 0:
        retry_after = None
    return Delivery(
        outcome=http_outcome(response.status_code), detail=detail, retry_after=retry_after
    )


class TelegramConnection:
    def __init__(self, settings: NotificationsSettings, client: httpx.AsyncClient) -> None:
        self._client = client
        self._token = settings.telegram_bot_token
        self._api = str(settings.telegram_api_url).rstrip("/")

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        if self._token is None:
            return Delivery(outcome=Outcome.PERMANENT, detail="telegram channel not configured")
        url = f"{self._api}/bot{self._token.get_secret_value()}/sendMessage"
        text = f"{message['subject']}\n\n{message['text']}"[:TEXT_MAX]
        try:
            response = await self._client.post(
                url,
                json={"chat_id": message["to"], "text": text, "disable_web_page_preview": True},
            )
        except httpx.HTTPError as exc:
            # the exception's text may quote the URL, and the URL holds the bot token
            return Delivery(outcome=Outcome.TEMPORARY, detail=type(exc).__name__)
        return delivery_of(response)

    async def close(self) -> None:
        return None
