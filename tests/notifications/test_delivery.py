"""SMTP failures: a temporary one is retried with backoff, a permanent one is not."""

from __future__ import annotations

import asyncio

from nkohub_notifications.domain import Status
from nkohub_shared.contracts.events import RegistrationConfirmed
from tests.support.broker import wait_until

from .conftest import meetup, participant, reg_id


async def _one_message(service):
    async def found():
        messages = await service.messages()
        return messages[0] if messages else None

    return await wait_until(found)


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


async def test_temporary_4xx_is_retried_with_backoff(service, smtp):
    smtp.reply = "451 4.3.0 Try again later"
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=participant())
    )
    message = await _one_message(service)
    await wait_until(lambda: smtp.refusals >= 2)
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert doc["status"] in (Status.QUEUED, Status.SENDING)
    assert "451" in (doc["last_error"] or "451")
    outcomes = [h["outcome"] for h in doc.get("history", [])]
    assert "temporary" in outcomes
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
    await asyncio.sleep(1.5)  # several retry periods: nothing more is tried
    doc = await service.db.messages.find_one({"_id": message["_id"]})
    assert doc["status"] == Status.FAILED and doc["attempts"] == 1
    assert "550" in doc["last_error"]
    assert smtp.refusals == 1
    failed = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [event] = [e for e in failed if e["type"] == "notifications.message.failed"]
    assert event["data"]["message_id"] == message["_id"]
    assert "550" in event["data"]["reason"] and event["data"]["attempts"] == 1


async def _status(service, message_id, status) -> bool:
    doc = await service.db.messages.find_one({"_id": message_id})
    return doc is not None and doc["status"] == status
