"""E-mail over SMTP: a stored message as an RFC 5322 e-mail (text + HTML, optional
attachments), sent on one SMTP session per sender worker, reused between messages."""

from __future__ import annotations

from email import errors as email_errors
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import aiosmtplib

from nkohub_notifications.domain.messages import Delivery, Outcome, smtp_outcome
from nkohub_notifications.settings import NotificationsSettings


def build_email(message: dict[str, Any], *, sender: str) -> EmailMessage:
    """``multipart/alternative`` (text, HTML), wrapped in ``multipart/mixed`` when it has
    attachments (the ``text/calendar`` invitation carries its ``method`` parameter)."""
    email = EmailMessage()
    email["From"] = sender
    # an Address object, not a formatted string: its display name is quoted and encoded
    # as a whole, so no name («Мария Bcc: x@y») can turn into another recipient
    email["To"] = Address(display_name=message.get("recipient_name") or "", addr_spec=message["to"])
    email["Subject"] = message["subject"]
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{message['_id']}@nkohub>"
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.get("headers") or {}).items():
        email[name] = value
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    for attachment in message.get("attachments") or []:
        params = {"method": attachment["method"]} if attachment.get("method") else None
        email.add_attachment(
            attachment["content"],
            subtype=attachment["subtype"],
            filename=attachment["filename"],
            params=params,
        )
    return email


class SmtpConnection:
    """One SMTP session reused for many messages."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        self._envelope_sender = parseaddr(settings.mail_from)[1]

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_ssl,
            start_tls=s.smtp_requires_starttls,
            timeout=s.smtp_timeout_seconds,
        )
        await smtp.connect()
        if s.smtp_user:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            await smtp.login(s.smtp_user, password)
        self._smtp = smtp
        return smtp

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        try:
            email = build_email(message, sender=self._settings.mail_from)
            email.as_bytes()  # what cannot be serialised (a header with CR/LF) fails here
        except (ValueError, TypeError, KeyError, LookupError, email_errors.MessageError) as exc:
            # it will never build: no retry (a header injection attempt, a missing part)
            return Delivery(
                outcome=Outcome.PERMANENT,
                detail=f"cannot build the e-mail: {type(exc).__name__}: {exc}",
            )
        try:
            smtp = await self._connected()
            # the envelope names exactly the stored address, whatever the headers say
            errors, response = await smtp.send_message(
                email, sender=self._envelope_sender, recipients=[message["to"]]
            )
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
