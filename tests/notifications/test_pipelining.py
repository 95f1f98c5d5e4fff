"""MAIL, RCPT and DATA in one write (RFC 2920) when the server offers PIPELINING: the
fan-out reaches everyone once, the hand-over is recorded before the content, and a
refused recipient gets nothing while the others on the same session still do."""

from __future__ import annotations

from typing import Any

import pytest
from aiosmtpd.controller import Controller

from nkohub_contracts.events import MeetupScheduled
from nkohub_notifications.domain import Status
from tests.support.broker import wait_until
from tests.support.notifications_smtp import SmtpRecorder, _Handler

from .conftest import meetup, none_queued, start_service
from .test_subscribers import add_recipient

REFUSED = "nobody@example.org"


class _Pipelining(_Handler):
    """Says PIPELINING in its EHLO and counts what arrives in one read, refusing one
    recipient with 550."""

    def __init__(self, recorder: PipeliningRecorder) -> None:
        super().__init__(recorder)
        self._pipelining = recorder

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address == REFUSED:
            self._pipelining.refused_rcpt += 1
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class PipeliningRecorder(SmtpRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.refused_rcpt = 0
        self.batched_reads = 0

    def start(self) -> PipeliningRecorder:
        recorder = self

        class _Counting(Controller):
            def factory(self) -> Any:
                smtp = super().factory()
                original = smtp.data_received

                def data_received(data: bytes) -> None:
                    # MAIL, RCPT and DATA arrived in one read: the client pipelined them
                    if data.startswith(b"MAIL ") and b"\r\nRCPT " in data and b"DATA\r\n" in data:
                        recorder.batched_reads += 1
                    original(data)

                smtp.data_received = data_received
                return smtp

        self._controller = _Counting(_Pipelining(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self


@pytest.fixture
def pipelining() -> Any:
    recorder = PipeliningRecorder().start()
    yield recorder
    recorder.stop()


async def test_a_fan_out_pipelines_its_commands_and_a_refused_recipient_gets_nothing(
    sandbox, pipelining
):
    followers = [f"f{i}@example.org" for i in range(12)]
    async with start_service(sandbox, pipelining, sender_workers=2) as service:
        for email in [*followers, REFUSED]:
            await add_recipient(service, email, {"meetups": {"email": True}})
        await service.publish(MeetupScheduled(meetup=meetup()))
        await pipelining.wait_count(len(followers))
        await wait_until(lambda: none_queued(service))
        messages = await service.messages(template="meetup_announcement")

    mailed = sorted(rcpt for _, rcpts in pipelining.envelopes for rcpt in rcpts)
    assert mailed == sorted(followers)  # each once
    assert pipelining.batched_reads >= len(followers)  # every message's commands together
    assert pipelining.refused_rcpt == 1
    sent = [m for m in messages if m["status"] == Status.SENT]
    assert len(sent) == len(followers)
    assert all(m["handed_over_at"] is not None and m["attempts"] == 1 for m in sent)
    [refused] = [m for m in messages if m["status"] != Status.SENT]
    assert refused["status"] == Status.FAILED and refused.get("handed_over_at") is None
    assert "550" in refused["last_error"]
