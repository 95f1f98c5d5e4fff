"""Fan-out of one meetup announcement to N followers into a loopback SMTP server.

Runs the notifications service in-process against the real RabbitMQ and MongoDB-wire
servers (a fresh vhost and database, removed afterwards) and a real aiosmtpd server on
127.0.0.1. It publishes one ``events.meetup.scheduled`` envelope and measures:

- fan-out: event published → all N messages stored (queued);
- end-to-end: event published → the SMTP server has received all N e-mails;
- messages per second over the sending.

Run from the repository root, with the servers up (``bash deploy/local/platform.sh servers``):

    uv run python bench/notifications_fanout.py [--recipients 10000] [--rate 500] [--workers 8]

Modes: rate limit off (``email_rate_per_second=0``) and on (``--rate``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nkohub_notifications.app import create_app  # noqa: E402
from nkohub_notifications.domain import SubscriberFields, SubscriberStatus, subscriber_document  # noqa: E402
from nkohub_notifications.settings import NotificationsSettings  # noqa: E402
from nkohub_shared.contracts.events import MeetupScheduled  # noqa: E402
from tests.notifications.conftest import meetup, publish  # noqa: E402
from tests.support.isolation import create_sandbox, destroy_sandbox  # noqa: E402
from tests.support.notifications_smtp import SmtpRecorder  # noqa: E402
from tests.support.servers import discover  # noqa: E402


async def run_once(servers, recipients: int, rate: float, workers: int) -> dict[str, float]:
    sandbox = create_sandbox(servers)
    smtp = SmtpRecorder().start()
    smtp.count_only = True
    try:
        settings = NotificationsSettings(
            **sandbox.settings(
                "notifications",
                **smtp.settings(),
                email_rate_per_second=rate,
                sender_workers=workers,
                sender_poll_seconds=0.2,
                scheduler_poll_seconds=60,
                outbox_sweep_seconds=1.0,
                inbox_lease_seconds=600,
            )
        )
        app = create_app(settings)
        runtime = app.state.runtime
        db = runtime.db
        documents = [
            subscriber_document(
                SubscriberFields(
                    name=f"Подписчик {i}",
                    email=f"follower{i}@example.org",
                    topics={"meetups": {"email": True}},
                ),
                status=SubscriberStatus.CONFIRMED,
                source="bench",
                consent=True,
            )
            for i in range(recipients)
        ]
        for start in range(0, recipients, 1000):
            await db.subscribers.insert_many(documents[start : start + 1000])
        await runtime.start()
        try:
            started = time.perf_counter()
            await publish(sandbox, MeetupScheduled(meetup=meetup()))
            queued_at = None
            first_at = None
            while smtp.received < recipients:
                await asyncio.sleep(0.05)
                if first_at is None and smtp.received:
                    first_at = time.perf_counter()
                if queued_at is None and await db.messages.estimated_document_count() >= recipients:
                    queued_at = time.perf_counter()
            done = time.perf_counter()
            if queued_at is None:
                queued_at = done
            first_at = first_at or done
        finally:
            await runtime.stop()
        return {
            "fanout_s": queued_at - started,
            "end_to_end_s": done - started,
            "first_mail_s": first_at - started,
            "per_second": recipients / (done - started),
            "sending_per_second": recipients / max(done - first_at, 1e-9),
        }
    finally:
        smtp.stop()
        destroy_sandbox(sandbox)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="limit for the 'on' run")
    parser.add_argument("--workers", type=int, default=8, help="parallel SMTP connections")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    servers = discover()
    print(
        f"fan-out of one announcement to {args.recipients} recipients, "
        f"{args.workers} SMTP connections, loopback aiosmtpd, MongoDB-wire + RabbitMQ"
    )
    try:
        for label, rate in (("rate limit off", 0.0), (f"rate limit {args.rate:g}/s", args.rate)):
            r = await run_once(servers, args.recipients, rate, args.workers)
            print(
                f"{label:>20}: end-to-end {r['end_to_end_s']:7.1f} s, "
                f"{r['per_second']:7.1f} msg/s overall, "
                f"{r['sending_per_second']:7.1f} msg/s while sending; "
                f"all queued after {r['fanout_s']:.1f} s, "
                f"first mail after {r['first_mail_s']:.2f} s"
            )
    finally:
        servers.stop()


if __name__ == "__main__":
    asyncio.run(main())
