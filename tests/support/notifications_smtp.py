"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

``SmtpRecorder`` answers normally, or — when told — with a temporary (4xx) or permanent
(5xx) refusal of DATA; it can be stopped (connections refused) and started again on the
same port. Received mail is parsed with the ``email`` package.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


class _Handler:
    def __init__(self, recorder: SmtpRecorder) -> None:
        self._recorder = recorder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._recorder.peers.add(session.peer)
        return self._recorder._receive(envelope)


class SmtpRecorder:
    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals = 0
        self.reply: str | None = None  # e.g. "451 4.3.0 Try later" or "550 5.1.1 No such user"
        self.count_only = False  # benchmarks: count, do not parse
        self.received = 0
        self.arrivals: list[float] = []  # time.monotonic() of each accepted message
        self.peers: set[object] = set()  # the client ends of the connections that sent DATA
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def _receive(self, envelope: Any) -> str:
        with self._lock:
            if self.reply is not None:
                self.refusals += 1
                return self.reply
            self.received += 1
            self.arrivals.append(time.monotonic())
            if not self.count_only:
                self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                self.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
        return "250 OK"

    def start(self) -> SmtpRecorder:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict[str, object]:
        """Settings overrides pointing the service at this server."""
        return {"smtp_host": self.host, "smtp_port": self.port}

    # --- reading what arrived ------------------------------------------------------------

    def to(self, address: str) -> list[EmailMessage]:
        wanted = address.strip().lower()
        return [m for m in self.messages if _address(m).lower() == wanted]

    def with_subject(self, fragment: str) -> list[EmailMessage]:
        return [m for m in self.messages if fragment in str(m["Subject"])]

    async def wait_for(
        self, predicate: Callable[[list[EmailMessage]], bool], timeout: float = 20.0
    ) -> list[EmailMessage]:
        async def poll() -> None:
            while not predicate(self.messages):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), timeout)
        return self.messages

    async def wait_count(self, n: int, timeout: float = 20.0) -> list[EmailMessage]:
        return await self.wait_for(lambda ms: len(ms) >= n, timeout)


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    """The leaf parts by content type (text/plain, text/html, text/calendar)."""
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def calendar_part(message: EmailMessage) -> tuple[str, str] | None:
    """``(method parameter, iCalendar text)`` of the invitation, if attached."""
    part = parts(message).get("text/calendar")
    if part is None:
        return None
    return part.get_param("method"), part.get_content()


def address(message: EmailMessage) -> str:
    """The bare address of the (single) ``To:`` recipient."""
    return message["To"].addresses[0].addr_spec


_address = address
