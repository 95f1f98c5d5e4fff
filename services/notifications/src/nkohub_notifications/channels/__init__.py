"""Delivery channels (adapters) behind one interface: ``await deliver(message) -> Delivery``.

- ``smtp``: e-mail over SMTP (aiosmtplib; STARTTLS/SSL and auth by settings), one
  connection per sender worker, kept open between messages and dropped after any error;
- ``webhook``: POST of the CloudEvent JSON, signed ``X-Nkohub-Signature: sha256=<hex>``;
- ``webhook`` targets are checked first (``targets``: no internal addresses);
- ``telegram``: Bot API ``sendMessage`` when a bot token is configured, at
  ``telegram_api_url`` (tested against a local server speaking the Bot API).
"""

from __future__ import annotations

from typing import Any, Protocol

from nkohub_notifications.domain.messages import Delivery


class Connection(Protocol):
    async def deliver(self, message: dict[str, Any]) -> Delivery: ...

    async def close(self) -> None: ...
