"""E-mail over SMTP: a stored message as an RFC 5322 e-mail (text + HTML, optional
attachments), sent on a small pool of SMTP sessions (``sender_workers`` of them) kept open and
reused between messages.

The hand-over point: after the server's ``354`` and before the message and its final dot
are written, ``handing_over(message)`` runs (the sender records it on the message). A
process killed after that point may have delivered the message, one killed before it
has not: the sender resends only the latter (see ``service.sender``). The moment between
the record and the dot is a write to the socket; the one after it, the server's reply and
our own record of the outcome, is what a resend would double.
"""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Awaitable, Callable
from email import errors as email_errors
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import aiosmtplib
from aiosmtplib.email import quote_address
from aiosmtplib.errors import (
    SMTPDataError,
    SMTPNotSupported,
    SMTPReadTimeoutError,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)
from aiosmtplib.protocol import (
    COMMAND_INJECTION_REGEX,
    PERIOD_REGEX,
    normalize_message_line_endings,
)
from aiosmtplib.response import SMTPResponse
from aiosmtplib.typing import Default, SMTPStatus

from nkohub_notifications.channels import header_cache
from nkohub_notifications.domain.messages import Delivery, Outcome, smtp_outcome
from nkohub_notifications.settings import NotificationsSettings


def build_email(message: dict[str, Any], *, sender: str) -> EmailMessage:
    """``multipart/alternative`` (text, HTML), wrapped in ``multipart/mixed`` when it has
    attachments (the ``text/calendar`` invitation carries its ``method`` parameter)."""
    email = EmailMessage(policy=header_cache.MESSAGE)
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
        if "data" in attachment:  # a mailing's file, its bytes read from the copy
            email.add_attachment(
                attachment["data"],
                maintype=attachment["maintype"],
                subtype=attachment["subtype"],
                filename=attachment["filename"],  # RFC 2231 when not ASCII
            )
            continue
        if attachment.get("encoding") == "base64":  # binary: an image, a PDF
            email.add_attachment(
                base64.b64decode(attachment["content"]),
                maintype=attachment.get("maintype", "application"),
                subtype=attachment["subtype"],
                filename=attachment["filename"],
            )
            continue
        params = {"method": attachment["method"]} if attachment.get("method") else None
        email.add_attachment(
            attachment["content"],
            subtype=attachment["subtype"],
            filename=attachment["filename"],
            params=params,
        )
    return email


HandingOver = Callable[[dict[str, Any]], Awaitable[None]]
# what a message that will never build raises: no retry (a header injection attempt, a
# missing part)
BUILD_ERRORS = (ValueError, TypeError, KeyError, LookupError, email_errors.MessageError)


def _unbuildable(exc: Exception) -> Delivery:
    return Delivery(
        outcome=Outcome.PERMANENT, detail=f"cannot build the e-mail: {type(exc).__name__}: {exc}"
    )


def flatten(email: EmailMessage, *, utf8: bool, cte_type: str) -> bytes:
    """The e-mail's bytes as aiosmtplib's ``send_message`` writes them (Bcc left out),
    with the header lines a mailing's e-mails share folded once (``header_cache``)."""
    del email["Bcc"], email["Resent-Bcc"]
    out = io.BytesIO()
    BytesGenerator(out, policy=header_cache.smtp(utf8=utf8, cte_type=cte_type)).flatten(email)
    return out.getvalue()


def _data_content(message: bytes) -> bytes:
    """The message as sent after DATA: CRLF line endings, leading dots doubled, the end."""
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message)) + b".\r\n"


def _mail_options(
    smtp: aiosmtplib.SMTP, sender: str, recipients: list[str]
) -> tuple[list[str], str]:
    """MAIL options and the body's transfer encoding, as aiosmtplib's ``send_message``
    chooses them (the session has said EHLO)."""
    options: list[str] = []
    if not (sender + "".join(recipients)).isascii():
        if not smtp.supports_extension("smtputf8"):
            raise SMTPNotSupported(
                "an address is not ASCII, and the server does not support SMTPUTF8"
            )
        options.append("SMTPUTF8")
    if smtp.supports_extension("8BITMIME"):
        options.append("BODY=8BITMIME")
        return options, "8bit"
    return options, "7bit"


class HandOverFailed(Exception):
    """The hand-over could not be recorded; the message was not sent."""


class _Pipelined:
    """RFC 2920 on an aiosmtplib session: while a pipelined exchange runs (it holds the
    session's command lock), every byte the server sends is kept in the protocol's
    buffer and read response by response — aiosmtplib alone drops what arrives while a
    response it parsed waits to be picked up, so several answers to one write could be
    lost. Outside such an exchange the protocol behaves as aiosmtplib's."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._arrived = asyncio.Event()
        self.active = False
        received, lost = protocol.data_received, protocol.connection_lost

        def data_received(data: bytes) -> None:
            if not self.active:
                received(data)
                return
            protocol._buffer.extend(data)
            self._arrived.set()

        def connection_lost(exc: Exception | None) -> None:
            lost(exc)
            self._arrived.set()

        protocol.data_received = data_received
        protocol.connection_lost = connection_lost

    async def response(self, timeout: float | None) -> SMTPResponse:
        """The next complete response, in the order the commands were written."""
        while True:
            response = self._protocol._read_response_from_buffer()
            if response is not None:
                return response
            if self._protocol.transport is None:
                raise SMTPServerDisconnected("Connection lost")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
            except TimeoutError as exc:
                raise SMTPReadTimeoutError("Timed out waiting for server response") from exc


class _HandOverSMTP(aiosmtplib.SMTP):
    """aiosmtplib's SMTP whose DATA calls ``before_content`` once the server said ``354``
    and before the content and its final dot are written (aiosmtplib 5's DATA, with the
    call in the middle)."""

    before_content: Callable[[], Awaitable[None]] | None = None
    _pipelined: _Pipelined | None = None

    async def send_pipelined(
        self,
        sender: str,
        recipient: str,
        message: bytes,
        options: list[str],
        before_content: Callable[[], Awaitable[None]],
    ) -> SMTPResponse:
        """One message with MAIL, RCPT and DATA written together (RFC 2920: one round
        trip, not three), then ``before_content`` after the server's ``354``, then the
        content. A refusal of MAIL or RCPT raises as ``sendmail`` would (the caller
        drops the session); a server that said ``354`` all the same gets an empty
        message's dot first, so nothing is delivered."""
        await self._ehlo_or_helo_if_needed()
        protocol = self.protocol
        lock = protocol._command_lock if protocol is not None else None
        if protocol is None or lock is None:
            raise SMTPServerDisconnected("Server not connected")
        utf8 = any(o.lower() == "smtputf8" for o in options)
        encoding = "utf-8" if utf8 else "ascii"
        content = _data_content(message)
        mail_args = [b"FROM:" + quote_address(sender).encode(encoding)]
        if self.supports_extension("size"):
            mail_args.append(f"SIZE={len(normalize_message_line_endings(message))}".encode())
        mail_args.extend(o.encode("ascii") for o in options)
        rcpt_arg = b"TO:" + quote_address(recipient).encode(encoding)
        for arg in (*mail_args, rcpt_arg):
            if COMMAND_INJECTION_REGEX.search(arg):
                raise ValueError("Command arg contains a prohibited control character")
        commands = b"MAIL " + b" ".join(mail_args) + b"\r\n" + b"RCPT " + rcpt_arg + b"\r\n"
        if self._pipelined is None or self._pipelined._protocol is not protocol:
            self._pipelined = _Pipelined(protocol)
        pipelined = self._pipelined
        timeout = self.timeout
        try:
            async with lock:
                pipelined.active = True
                try:
                    protocol.write(commands + b"DATA\r\n")
                    mail = await pipelined.response(timeout)
                    rcpt = await pipelined.response(timeout)
                    start = await pipelined.response(timeout)
                    refused = mail.code != SMTPStatus.completed or rcpt.code not in (
                        SMTPStatus.completed,
                        SMTPStatus.will_forward,
                    )
                    if refused and start.code == SMTPStatus.start_input:
                        protocol.write(b".\r\n")  # an empty message, refused or discarded
                        await pipelined.response(timeout)
                    if mail.code != SMTPStatus.completed:
                        raise SMTPSenderRefused(mail.code, mail.message, sender)
                    if refused:
                        raise SMTPRecipientsRefused(
                            [SMTPRecipientRefused(rcpt.code, rcpt.message, recipient)]
                        )
                    if start.code != SMTPStatus.start_input:
                        raise SMTPDataError(start.code, start.message)
                    await self._hand_over(before_content)
                    protocol.write(content)
                    response = await pipelined.response(timeout)
                finally:
                    pipelined.active = False
                if response.code != SMTPStatus.completed:
                    raise SMTPDataError(response.code, response.message)
                return response
        except (SMTPServerDisconnected, SMTPTimeoutError):
            self.close()
            raise

    async def _hand_over(self, before_content: Callable[[], Awaitable[None]]) -> None:
        """Record the hand-over between the server's 354 and the content; if that fails,
        nothing of the content was written, and dropping the line aborts the message."""
        try:
            await before_content()
        except Exception as exc:
            self.close()
            raise HandOverFailed(str(exc)) from exc

    async def data(self, message: str | bytes, /, *, timeout: Any = Default.token) -> SMTPResponse:
        hook = self.before_content
        protocol = self.protocol
        if hook is None or protocol is None:
            return await super().data(message, timeout=timeout)
        await self._ehlo_or_helo_if_needed()
        if timeout is Default.token:
            timeout = self.timeout
        raw = message.encode("ascii") if isinstance(message, str) else message
        content = _data_content(raw)
        lock = protocol._command_lock
        if lock is None:
            raise SMTPServerDisconnected("Server not connected")
        try:
            async with lock:
                protocol._response_pending = True
                protocol.write(b"DATA\r\n")
                start = await protocol.read_response(timeout=timeout)
                if start.code != SMTPStatus.start_input:
                    raise SMTPDataError(start.code, start.message)
                await self._hand_over(hook)
                protocol._response_pending = True
                protocol.write(content)
                response = await protocol.read_response(timeout=timeout)
                if response.code != SMTPStatus.completed:
                    raise SMTPDataError(response.code, response.message)
                return response
        except (SMTPServerDisconnected, SMTPTimeoutError):
            self.close()
            raise


class SmtpConnection:
    """One SMTP session reused for many messages."""

    def __init__(
        self, settings: NotificationsSettings, *, handing_over: HandingOver | None = None
    ) -> None:
        self._settings = settings
        self._smtp: _HandOverSMTP | None = None
        self._envelope_sender = parseaddr(settings.mail_from)[1]
        self._handing_over = handing_over

    async def _connected(self) -> _HandOverSMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = _HandOverSMTP(
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
        await smtp._ehlo_or_helo_if_needed()  # its extensions choose the MAIL options
        self._smtp = smtp
        return smtp

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        try:
            email = build_email(message, sender=self._settings.mail_from)
        except BUILD_ERRORS as exc:
            return _unbuildable(exc)
        recipients = [message["to"]]
        try:
            smtp = await self._connected()
            # serialised once, as aiosmtplib's send_message would (what cannot be
            # serialised, a header with CR/LF, fails here, before the envelope is sent)
            options, cte_type = _mail_options(smtp, self._envelope_sender, recipients)
            try:
                raw = flatten(email, utf8="SMTPUTF8" in options, cte_type=cte_type)
            except BUILD_ERRORS as exc:
                return _unbuildable(exc)
            if self._handing_over is not None:
                handing_over = self._handing_over

                async def before_content() -> None:
                    await handing_over(message)

                if smtp.supports_extension("pipelining"):
                    response = await smtp.send_pipelined(
                        self._envelope_sender, recipients[0], raw, options, before_content
                    )
                    return Delivery(outcome=Outcome.SENT, detail=response.message)
                smtp.before_content = before_content
            # the envelope names exactly the stored address, whatever the headers say
            errors, response = await smtp.sendmail(
                self._envelope_sender, recipients, raw, mail_options=options
            )
        except HandOverFailed as exc:
            await self.close()
            return Delivery(outcome=Outcome.TEMPORARY, detail=f"not handed over: {exc}")
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


class SmtpPool:
    """``size`` SMTP sessions shared by the sender's workers: a worker holds one only for
    the SMTP exchange of one message (its claim, checks and outcome are written without
    it), so a few connections keep busy while many messages are on their way. A session
    dropped after an error reconnects on its next message."""

    def __init__(
        self,
        settings: NotificationsSettings,
        *,
        size: int,
        handing_over: HandingOver | None = None,
    ) -> None:
        self._all = [SmtpConnection(settings, handing_over=handing_over) for _ in range(size)]
        self._idle: asyncio.Queue[SmtpConnection] = asyncio.Queue()
        for connection in self._all:
            self._idle.put_nowait(connection)

    async def deliver(self, message: dict[str, Any]) -> Delivery:
        connection = await self._idle.get()
        try:
            return await connection.deliver(message)
        finally:
            self._idle.put_nowait(connection)

    async def close(self) -> None:
        for connection in self._all:
            await connection.close()
