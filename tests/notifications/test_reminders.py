"""Reminders are kept in the database: a service killed while they are pending sends
each of them exactly once after its restart, and none to those who cancelled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nkohub_shared.contracts.events import RegistrationCancelled, RegistrationConfirmed
from tests.support.broker import wait_until
from tests.support.notifications_smtp import address
from tests.support.processes import ServiceProcess

from .conftest import FAST, meetup, participant, publish, reg_id


async def test_reminders_survive_sigkill_and_go_out_once(sandbox, smtp, mongo, tmp_path: Path):
    env = sandbox.env(
        "notifications",
        **{**FAST, **smtp.settings()},
        reminder_offsets="[12, 6]",  # seconds before the start
    )
    process = ServiceProcess(
        "nkohub_notifications", env, log_path=tmp_path / "notifications.log"
    ).start()
    try:
        m = meetup(starts_in=timedelta(seconds=20))
        alice, bob, carol = participant("Алиса"), participant("Борис"), participant("Карина")
        r_carol = reg_id()
        for who, rid in ((alice, reg_id()), (bob, reg_id()), (carol, r_carol)):
            await publish(
                sandbox, RegistrationConfirmed(registration_id=rid, meetup=m, participant=who)
            )
        await smtp.wait_count(3)  # confirmations (the bus does not promise their order)
        await publish(
            sandbox,
            RegistrationCancelled(
                registration_id=r_carol,
                meetup=m,
                participant=carol,
                cancelled_by="participant",
                previous_status="confirmed",
            ),
        )
        await smtp.wait_count(4)  # and the cancellation
        await wait_until(lambda: _count(mongo.reminders, {"status": "pending"}, 4))
        assert await mongo.reminders.count_documents({"status": "cancelled"}) == 2
        assert process.kill() != 0  # SIGKILL with four reminders pending

        # the first reminder falls due while the service is down
        first_due = m.starts_at - timedelta(seconds=12)
        await asyncio.sleep(max((first_due - datetime.now(UTC)).total_seconds() + 1, 0))
        process.start()

        def reminders() -> list:
            return [x for x in smtp.messages if str(x["Subject"]).startswith("Напоминание")]

        await wait_until(lambda: len(reminders()) >= 4, timeout=30)
        # past the start nothing more can come
        await asyncio.sleep(max((m.starts_at - datetime.now(UTC)).total_seconds() + 1, 0))
        sent = reminders()
        assert sorted(address(x) for x in sent) == sorted([alice.email, bob.email] * 2)
        assert carol.email not in {address(x) for x in sent}
        assert await mongo.reminders.count_documents({"status": "sent"}) == 4
        assert await mongo.messages.count_documents({"template": "reminder"}) == 4
    finally:
        process.stop()


async def _count(collection, filter, n) -> bool:
    return await collection.count_documents(filter) >= n
