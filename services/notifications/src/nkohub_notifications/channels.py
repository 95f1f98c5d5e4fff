"""Delivery channels behind one interface: ``await channel.deliver(message) -> Delivery``.

- e-mail over SMTP (aiosmtplib; STARTTLS/SSL and auth by settings), one connection per
  sender worker, kept open between messages and dropped after any error;
- webhook: POST of the CloudEvent JSON, signed ``X-Nkohub-Signature: sha256=<hex>``;
- Telegram: Bot API ``sendMessage`` when a bot token is configured (not exercised by
  the tests: there is no Telegram server to test against).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

import aiosmtplib
import httpx

from nkohub_notifications.domain import (
    Delivery,
    Outcome,
    http_outcome,
    smtp_outcome,
    webhook_signature,
)
from nkohub_notifications.mail import build_email
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.privacy import sign

log = logging.getLogger("nkohub.notifications.channels")

SIGNATURE_HEADER = "X-Nkohub-Signature"


class Connection(Protocol):
    async def deliver(self, message: dict[str, Any]) -> Delivery: ...

    async def close(self) -> None: ...


class SmtpConnection:
    """One SMTP session reused for many messages."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_ssl,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )
        await smtp.connect()
        if s.smtp_user:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            await smtp.login(s.smtp_user, password)
        self._smtp = smtp
        return smtp

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        email = build_email(message, sender=self._settings.mail_from)
        try:
            smtp = await self._connected()
            errors, response = await smtp.send_message(email)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self.close()
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            worst = max(codes) if codes else None
            return Delivery(outcome=smtp_outcome(worst), detail=detail)
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            return Delivery(outcome=smtp_outcome(exc.code), detail=f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()  # refused, dropped, timed out: worth another try later
            return Delivery(outcome=Outcome.TEMPORARY, detail=f"{type(exc).__name__}: {exc}")
        if errors:
            code = max(r.code for r in errors.values())
            return Delivery(outcome=smtp_outcome(code), detail=str(errors))
        return Delivery(outcome=Outcome.SENT, detail=response)

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except Exception:
                smtp.close()


class WebhookConnection:
    def __init__(self, settings: NotificationsSettings, client: httpx.AsyncClient) -> None:
        self._client = client
        secret = settings.webhook_secret
        self._secret = (
            secret.get_secret_value()
            if secret
            else sign(settings.jwt_secret.get_secret_value(), "webhook", "signing-key")
        )

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
