"""Turning a stored message into an RFC 5322 e-mail (text + HTML, optional attachments)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any


def build_email(message: dict[str, Any], *, sender: str) -> EmailMessage:
    """``multipart/alternative`` (text, HTML), wrapped in ``multipart/mixed`` when it has
    attachments (the ``text/calendar`` invitation carries its ``method`` parameter)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.get("recipient_name") or "", message["to"]))
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
