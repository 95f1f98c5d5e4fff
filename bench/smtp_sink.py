"""The SMTP sink of bench/run.py: aiosmtpd on 127.0.0.1 that counts and discards mail.

    python bench/smtp_sink.py SMTP_PORT CONTROL_PORT

It is the same kind of server the tests use (aiosmtpd), run as its own process so that its
CPU and memory are its own; it advertises PIPELINING, which aiosmtpd serves but does not
announce. The control port answers one line per connection:
``count`` → ``<messages> <bytes> <seconds since the first message of this count>``,
``recipients`` → ``<distinct recipients> <recipients who got more than one message>``,
``reset`` → zero the counters.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from typing import Any

from aiosmtpd.smtp import SMTP


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.recipients: dict[str, int] = {}

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """Advertise PIPELINING (RFC 2920): aiosmtpd reads commands one after another from
        the stream, so it serves pipelined ones, but does not say so by itself (the
        compiled intake client pipelines regardless; the service only where offered)."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.messages += 1
        self.bytes += len(envelope.content or b"")
        for address in envelope.rcpt_tos:
            self.recipients[address] = self.recipients.get(address, 0) + 1
        return "250 OK"


async def main(smtp_port: int, control_port: int) -> None:
    counter = Counter()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = (await reader.readline()).decode().strip()
        if command == "reset":
            counter.__init__()
            writer.write(b"ok\n")
        elif command == "recipients":
            repeated = sum(1 for n in counter.recipients.values() if n > 1)
            writer.write(f"{len(counter.recipients)} {repeated}\n".encode())
        else:
            span = (
                (counter.last_at - counter.first_at)
                if counter.first_at is not None and counter.last_at is not None
                else 0.0
            )
            writer.write(f"{counter.messages} {counter.bytes} {span:.6f}\n".encode())
        await writer.drain()
        writer.close()

    smtp = await loop.create_server(
        lambda: SMTP(counter, hostname="sink.bench", data_size_limit=0),
        host="127.0.0.1",
        port=smtp_port,
    )
    ctl = await asyncio.start_server(control, host="127.0.0.1", port=control_port)
    print("ready", flush=True)
    await stop.wait()
    smtp.close()
    ctl.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
