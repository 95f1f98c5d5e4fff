"""Failures that must not leak or loop: a refusal's reason without the address, a message
that cannot be built failed once, the cap on mail of one kind to one recipient."""

from __future__ import annotations

from nkohub_contracts.events import RegistrationConfirmed
from nkohub_notifications.domain import Recipient, Status
from tests.support.broker import wait_until
from tests.support.notifications_smtp import address

from .conftest import handled, meetup, none_queued, participant, reg_id, start_service

REJECTED = "550 5.1.1 <victim@example.org>: Recipient address rejected"


async def _message(service, **filter):
    async def found():
        [message] = await service.messages(**filter) or [None]
        return message if message and message["status"] in ("failed", "sent") else None

    return await wait_until(found)


async def test_a_refusal_quoting_the_address_leaves_it_out_of_the_event_and_log(service, smtp, spy):
    smtp.reply = REJECTED
    victim = participant(name="Виктория Жертвова", email="victim@example.org")
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=victim)
    )
    message = await _message(service, recipient_key=victim.person_key)
    assert message["status"] == Status.FAILED
    assert message["last_error"] == "550 5.1.1 <<адрес>>: Recipient address rejected"
    assert [h["detail"] for h in message["history"]] == [message["last_error"]]
    events = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [failed] = [e for e in events if e["type"] == "notifications.message.failed"]
    assert failed["data"]["reason"] == "550 5.1.1 <<адрес>>: Recipient address rejected"
    assert "victim" not in str(failed).lower() and "Жертвова" not in str(failed)


async def test_a_header_injection_from_an_event_fails_once_and_mails_nobody(service, smtp, spy):
    injected = participant(name="Иван", email="victim@example.org\r\nBcc: all@example.org")
    crlf_name = participant(name="Мария\r\nBcc: all@example.org", email="maria@example.org")
    first = await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=injected)
    )
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=crlf_name)
    )
    [mail] = await smtp.wait_count(1)
    await wait_until(lambda: handled(service, first))
    await wait_until(lambda: none_queued(service))
    # the name lost its line break at input: one To: line, no Bcc header
    assert address(mail) == "maria@example.org" and mail["Bcc"] is None
    assert mail["To"].addresses[0].display_name == "Мария Bcc: all@example.org"
    assert smtp.envelopes[0][1] == ["maria@example.org"]
    [failed] = await service.messages(recipient_key=injected.person_key)
    assert failed["status"] == Status.FAILED and failed["attempts"] == 0
    assert failed["last_error"] == "cannot build the message: invalid recipient address"
    events = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [event] = [e for e in events if e["type"] == "notifications.message.failed"]
    assert event["data"]["message_id"] == failed["_id"]
    assert len(smtp.messages) == 1


async def test_a_queued_message_the_smtp_channel_cannot_build_fails_at_once(service, smtp):
    """A message already queued with a line break in its address (before the input
    rules): the channel cannot build it, so it fails on its first attempt, not forever."""
    person = participant()
    message = service.ctx.notifier.email(
        cause="old-cause",
        recipient=Recipient.of(person.name, person.email),
        template="subscription_confirm",
        context={"confirm_url": "https://notify.example.org/subscriptions/x/confirm"},
    )
    message["to"] = "victim@example.org\r\nBcc: all@example.org"
    assert await service.ctx.notifier.queue([message]) == 1
    failed = await _message(service, _id=message["_id"])
    assert failed["status"] == Status.FAILED and failed["attempts"] == 1
    assert failed["last_error"].startswith("cannot build the e-mail: ValueError")
    assert "victim" not in failed["last_error"]
    assert smtp.messages == []


async def test_mail_of_one_kind_to_one_recipient_is_capped(sandbox, smtp):
    async with start_service(sandbox, smtp, mail_cap_per_hour=2) as service:
        person, other = participant(), participant()
        for _ in range(3):
            await service.publish(
                RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
            )
        await service.publish(
            RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=other)
        )

        async def settled() -> bool:
            done = await service.db.messages.count_documents(
                {"status": {"$in": ["sent", "suppressed"]}}
            )
            return done == 4

        await wait_until(settled)
        mine = await service.messages(recipient_key=person.person_key)
        assert sorted(m["status"] for m in mine) == ["sent", "sent", "suppressed"]
        [capped] = [m for m in mine if m["status"] == "suppressed"]
        assert capped["last_error"] == "cap reached: more than 2 messages of this kind per hour"
        assert len(smtp.to(person.email)) == 2 and len(smtp.to(other.email)) == 1
