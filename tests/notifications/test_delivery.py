"""SMTP failures: a temporary one is retried with backoff, a permanent one is not; a
message a dead sender left ``sending`` goes out after its lease; the rate limit holds."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from nkohub_contracts.events import MeetupScheduled, RegistrationConfirmed
from nkohub_notifications.app import create_app
from nkohub_notifications.domain import Recipient, Status
from nkohub_notifications.domain.clock import now
from nkohub_notifications.service.sending_rate import Pacing, SendingRate
from tests.support.broker import wait_until
from tests.support.inprocess import running
from tests.support.notifications_smtp import address

from .conftest import (
    meetup,
    none_queued,
    notifications_settings,
    participant,
    reg_id,
    start_service,
)
from .test_subscribers import add_recipient


async def _one_message(service):
    async def found():
        messages = await service.messages()
        return messages[0] if messages else None

    return await wait_until(found)


@pytest.mark.slow
async def test_smtp_down_then_up_delivers_after_retry(service, smtp):
    smtp.stop()  # connection refused
    person = participant()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
    )
    message = await _one_message(service)

    async def retried() -> bool:
        doc = await service.db.messages.find_one({"_id": message["_id"]})
        return doc["attempts"] >= 2 and doc["status"] == Status.QUEUED

    await wait_until(retried)
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert "Connect" in doc["last_error"] or "refused" in doc["last_error"].lower()
    assert doc["next_attempt_at"] > doc["created_at"]
    assert smtp.messages == []

    smtp.start()
    await smtp.wait_count(1)
    await wait_until(lambda: _status(service, message["_id"], Status.SENT))
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert doc["attempts"] >= 3
    assert person.email in str(smtp.messages[0]["To"])


@pytest.mark.slow
async def test_temporary_4xx_is_retried_with_backoff(service, smtp):
    smtp.reply = "451 4.3.0 Try again later"
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=participant())
    )
    message = await _one_message(service)
    await wait_until(lambda: smtp.refusals >= 2)
    # the second refusal came after the first attempt's outcome was written
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert doc["status"] in (Status.QUEUED, Status.SENDING)
    assert doc["last_error"] is not None and "451" in doc["last_error"]
    outcomes = [h["outcome"] for h in doc.get("history", [])]
    assert "temporary" in outcomes and "sent" not in outcomes
    smtp.reply = None
    await smtp.wait_count(1)
    await wait_until(lambda: _status(service, message["_id"], Status.SENT))


async def test_permanent_5xx_fails_without_retry(service, smtp, spy):
    smtp.reply = "550 5.1.1 No such user here"
    person = participant()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
    )
    message = await _one_message(service)
    await wait_until(lambda: _status(service, message["_id"], Status.FAILED))
    failed = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [event] = [e for e in failed if e["type"] == "notifications.message.failed"]
    assert event["data"]["message_id"] == message["_id"]
    assert "550" in event["data"]["reason"] and event["data"]["attempts"] == 1

    # a later message goes out: the sender has looked for due messages since the failure
    smtp.reply = None
    later = participant()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=later)
    )
    [mail] = await smtp.wait_count(1)
    await wait_until(lambda: none_queued(service))
    assert address(mail) == later.email
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert doc["status"] == Status.FAILED and doc["attempts"] == 1
    assert "550" in doc["last_error"]
    assert smtp.refusals == 1


@pytest.mark.slow
async def test_a_message_left_sending_by_a_dead_sender_goes_out_after_its_lease(sandbox, smtp):
    app = create_app(notifications_settings(sandbox, smtp, send_lease_seconds=1.0))
    ctx = app.state.runtime.context
    stuck, busy = participant(), participant()

    async def claimed_and_abandoned(person, lease: timedelta) -> str:
        """What a sender that died mid-send leaves: the message claimed, never finished."""
        message = ctx.notifier.email(
            cause=f"stuck-{person.person_key}",
            recipient=Recipient.of(person.name, person.email),
            template="subscription_confirm",
            context={"confirm_url": "https://notify.example.org/subscriptions/x/confirm"},
        )
        assert await ctx.notifier.queue([message]) == 1
        at = now()
        claimed = await ctx.repositories.messages.claim(message["_id"], at, at + lease)
        assert claimed["status"] == Status.SENDING and claimed["attempts"] == 1
        return message["_id"]

    # no sender runs yet: nothing else can take these messages
    stuck_id = await claimed_and_abandoned(stuck, timedelta(seconds=1))
    busy_id = await claimed_and_abandoned(busy, timedelta(minutes=10))

    async with running(app):
        [mail] = await smtp.wait_count(1, timeout=30)
        assert address(mail) == stuck.email
        await wait_until(lambda: _status_of(ctx, stuck_id, Status.SENT))
        doc = await ctx.runtime.db.messages.find_one({"_id": stuck_id})
        assert doc["attempts"] == 2 and doc["lease_until"] is None
        # the sweep that freed the expired claim left the live one alone
        other = await ctx.runtime.db.messages.find_one({"_id": busy_id})
        assert other["status"] == Status.SENDING and other["attempts"] == 1
        assert smtp.to(busy.email) == []


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_the_rate_limit_spaces_the_mail(sandbox, smtp):
    """Every e-mail leaves in a send slot of its own, slots 1/rate apart, and not before
    its slot starts. Proven from the slots the sender took and when it was let go (on the
    wall clock the slots are counted on), not from when the e-mails reached the server,
    which bunch up on a loaded machine."""
    rate, count = 5, 20
    released: list[tuple[float, float]] = []  # (slot start, moment the sender was let go)

    class Recorded(SendingRate):
        async def wait(self) -> float | None:
            starts = await super().wait()
            if starts is not None:
                released.append((starts, time.time()))
            return starts

    async with start_service(sandbox, smtp, email_rate_per_second=rate) as service:
        settings = service.ctx.runtime.settings
        service.ctx.sender.pacing = Pacing.of(
            settings, service.ctx.repositories.send_slots, rate=Recorded
        )
        for i in range(count):
            await add_recipient(service, f"r{i}@example.org", {"meetups": {"email": True}})
        await service.publish(MeetupScheduled(meetup=meetup()))
        await smtp.wait_count(count, timeout=60)
    assert len(smtp.arrivals) == count
    assert len(released) == count, "one slot per e-mail"
    # Slot n starts at n / rate: distinct slots are at least 1/rate apart, so no second
    # holds more than `rate` of them.
    assert len({round(starts * rate) for starts, _ in released}) == count, "a slot twice"
    early = [starts - let_go for starts, let_go in released if let_go < starts - 0.01]
    assert not early, f"let go before its slot by {early} s"


async def test_the_sender_keeps_to_its_pool_of_smtp_connections(sandbox, smtp):
    """Many messages in flight, but only ``sender_workers`` SMTP sessions, kept open."""
    count = 40
    async with start_service(sandbox, smtp, sender_workers=2) as service:
        for i in range(count):
            await add_recipient(service, f"pool{i}@example.org", {"meetups": {"email": True}})
        await service.publish(MeetupScheduled(meetup=meetup()))
        await smtp.wait_count(count, timeout=60)
    assert sorted(address(m) for m in smtp.messages) == sorted(
        f"pool{i}@example.org" for i in range(count)
    )
    assert 1 <= len(smtp.peers) <= 2


async def _status(service, message_id, status) -> bool:
    doc = await service.db.messages.find_one({"_id": message_id})
    return doc is not None and doc["status"] == status


async def _status_of(ctx, message_id, status) -> bool:
    doc = await ctx.runtime.db.messages.find_one({"_id": message_id})
    return doc is not None and doc["status"] == status
