"""Reminders are kept in the database: a service killed while they are pending sends
each of them exactly once after its restart, and none to those who cancelled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nkohub_contracts.events import (
    MeetupUpdated,
    RegistrationCancelled,
    RegistrationConfirmed,
)
from nkohub_notifications.domain import Status
from tests.support.broker import wait_until
from tests.support.notifications_smtp import address
from tests.support.processes import ServiceProcess

from .conftest import FAST, handled, meetup, participant, publish, reg_id, start_service


@pytest.mark.slow
@pytest.mark.timeout(120)
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


@pytest.mark.slow
async def test_reminders_follow_a_moved_meetup_and_the_old_one_is_not_sent(sandbox, smtp):
    # the first reminder is due a second after the registration; a failed attempt waits a
    # minute, so the reminder message stays queued (for the old time) until the move
    settings = {"reminder_offsets": [599, 300], "retry_base_seconds": 60, "retry_max_seconds": 60}
    smtp.stop()
    async with start_service(sandbox, smtp, **settings) as service:
        m = meetup(starts_in=timedelta(seconds=600), sequence=1)
        person, registration = participant(), reg_id()
        await service.publish(
            RegistrationConfirmed(registration_id=registration, meetup=m, participant=person)
        )

        async def reminder_tried() -> dict | None:
            [message] = await service.messages(template="reminder") or [None]
            if message and message["attempts"] == 1 and message["status"] == Status.QUEUED:
                return message
            return None

        old = await wait_until(reminder_tried, timeout=30)
        first = f"{registration}|599"
        assert (await service.db.reminders.find_one({"_id": first}))["status"] == "sent"
        smtp.start()

        # moved a week later: both reminders due again before the new start
        later = m.model_copy(
            update={
                "starts_at": m.starts_at + timedelta(days=7),
                "ends_at": m.ends_at + timedelta(days=7),
                "sequence": 2,
            }
        )
        moved = await service.publish(MeetupUpdated(meetup=later, changed=["starts_at"]))
        await wait_until(lambda: handled(service, moved))
        reminders = {
            r["_id"]: r async for r in service.db.reminders.find({"registration_id": registration})
        }
        for offset in (599, 300):
            r = reminders[f"{registration}|{offset}"]
            assert r["status"] == "pending"
            assert r["starts_at"] == later.starts_at
            assert r["due_at"] == later.starts_at - timedelta(seconds=offset)
        doc = await service.db.messages.find_one({"_id": old["_id"]})
        assert doc["status"] == Status.SUPPRESSED and doc["last_error"] == "meetup moved"
        [update] = await smtp.wait_count(1)
        assert str(update["Subject"]).startswith("Изменения во встрече")

        # moved closer: the 599-second reminder is past (skipped), the other
        # is due 100 seconds from now
        sooner = later.model_copy(
            update={
                "starts_at": m.starts_at - timedelta(seconds=200),
                "ends_at": m.ends_at - timedelta(seconds=200),
                "sequence": 3,
            }
        )
        closer = await service.publish(MeetupUpdated(meetup=sooner, changed=["starts_at"]))
        await wait_until(lambda: handled(service, closer))
        skipped = await service.db.reminders.find_one({"_id": first})
        assert skipped["status"] == "skipped" and skipped["starts_at"] == sooner.starts_at
        pending = await service.db.reminders.find_one({"_id": f"{registration}|300"})
        assert pending["status"] == "pending"
        assert pending["due_at"] == sooner.starts_at - timedelta(seconds=300)

        # nothing is due now, and the old reminder is not sent again
        assert await service.ctx.reminders.send_due() == 0
        await smtp.wait_count(2)
        assert [str(x["Subject"]).split(":")[0] for x in smtp.messages] == [
            "Изменения во встрече",
            "Изменения во встрече",
        ]
        assert await service.db.messages.count_documents({"template": "reminder"}) == 1
