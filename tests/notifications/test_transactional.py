"""Registration and meetup mail: each trigger → exactly the expected e-mails, with the
right headers, parts and calendar invitation."""

from __future__ import annotations

from datetime import timedelta

from nkohub_contracts.events import (
    MeetupCancelled,
    MeetupUpdated,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_notifications.domain import Status
from nkohub_shared.privacy import verify
from tests.support.broker import wait_until
from tests.support.isolation import LINK_SECRET
from tests.support.notifications_smtp import calendar_part, parts

from .conftest import handled, meetup, none_queued, participant, reg_id


async def test_registration_confirmed_sends_one_mail_with_invitation(ordered_service, smtp, spy):
    service = ordered_service
    m = meetup(sequence=2)
    person = participant()
    registration = reg_id()
    envelope = await service.publish(
        RegistrationConfirmed(registration_id=registration, meetup=m, participant=person)
    )
    [mail] = await smtp.wait_count(1)

    assert str(mail["Subject"]) == f"Регистрация подтверждена: {m.title}"
    assert person.email in str(mail["To"])
    assert "List-Unsubscribe" not in mail, "transactional mail has no List-Unsubscribe"
    body = parts(mail)
    assert {"text/plain", "text/html", "text/calendar"} <= set(body)
    text = body["text/plain"].get_content()
    assert "Мария Петрова" in text and m.title in text
    cancel = f"https://events.example.org/registrations/{registration}/cancel?token="
    assert cancel in text and cancel in body["text/html"].get_content()
    token = text.split(cancel, 1)[1].split()[0]
    assert verify(LINK_SECRET, "registration", registration, token)
    method, ics = calendar_part(mail)
    assert method == "REQUEST"
    assert "METHOD:REQUEST" in ics and "SEQUENCE:2" in ics and f"UID:{m.meetup_id}@nkohub" in ics

    sent = await spy.wait_for(lambda es: any(e["type"] == "notifications.message.sent" for e in es))
    [event] = [e for e in sent if e["type"] == "notifications.message.sent"]
    assert event["data"]["template"] == "registration_confirmed"
    assert event["data"]["recipient_key"] == person.person_key
    assert event["data"]["cause_event_id"] == envelope.id
    assert person.email not in str(event), "events carry the person key, never the address"

    # the same event delivered again, then a marker on the same queue: one event at a
    # time, so once the marker is handled the redelivered copy has been too
    await service.publish(
        RegistrationConfirmed(registration_id=registration, meetup=m, participant=person),
        envelope,
    )
    other = participant()
    marker = await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=other)
    )
    await wait_until(lambda: handled(service, marker))
    await wait_until(lambda: none_queued(service))
    [stored] = await service.messages(cause_event_id=envelope.id)
    assert stored["status"] == Status.SENT and stored["attempts"] == 1
    assert len(smtp.to(person.email)) == 1
    assert len(smtp.to(other.email)) == 1 and len(smtp.messages) == 2


async def test_waitlisted_promoted_cancelled(service, smtp):
    m = meetup()
    person = participant(name="Иван Сидоров")
    registration = reg_id()
    await service.publish(
        RegistrationWaitlisted(
            registration_id=registration, meetup=m, participant=person, position=3
        )
    )
    [waitlisted] = await smtp.wait_count(1)
    assert str(waitlisted["Subject"]).startswith("Лист ожидания")
    assert "номер в очереди — 3" in parts(waitlisted)["text/plain"].get_content()
    assert calendar_part(waitlisted) is None

    await service.publish(
        RegistrationPromoted(registration_id=registration, meetup=m, participant=person)
    )
    await smtp.wait_count(2)
    promoted = smtp.messages[1]
    assert str(promoted["Subject"]).startswith("Освободилось место")
    assert calendar_part(promoted)[0] == "REQUEST"

    await service.publish(
        RegistrationCancelled(
            registration_id=registration,
            meetup=m,
            participant=person,
            cancelled_by="participant",
            previous_status="confirmed",
        )
    )
    await smtp.wait_count(3)
    cancelled = smtp.messages[2]
    assert str(cancelled["Subject"]).startswith("Регистрация отменена")
    reminders = [r async for r in service.db.reminders.find({"registration_id": registration})]
    assert reminders and all(r["status"] == "cancelled" for r in reminders)


async def test_meetup_update_and_cancellation_reach_everyone_registered(service, smtp):
    m = meetup(sequence=1)
    confirmed, waiting, gone = participant(), participant(), participant()
    r1, r2, r3 = reg_id(), reg_id(), reg_id()
    await service.publish(
        RegistrationConfirmed(registration_id=r1, meetup=m, participant=confirmed)
    )
    await service.publish(
        RegistrationWaitlisted(registration_id=r2, meetup=m, participant=waiting, position=1)
    )
    await service.publish(RegistrationConfirmed(registration_id=r3, meetup=m, participant=gone))
    await smtp.wait_count(3)  # the bus does not promise order: cancel after the confirmation
    await service.publish(
        RegistrationCancelled(
            registration_id=r3,
            meetup=m,
            participant=gone,
            cancelled_by="participant",
            previous_status="confirmed",
        )
    )
    await smtp.wait_count(4)
    smtp.messages.clear()

    day = timedelta(days=1)
    moved = m.model_copy(
        update={"starts_at": m.starts_at + day, "ends_at": m.ends_at + day, "sequence": 2}
    )
    await service.publish(MeetupUpdated(meetup=moved, changed=["starts_at"]))
    await smtp.wait_count(2)
    await _quiet(service)
    assert len(smtp.messages) == 2, "the cancelled registration gets no update"
    to_confirmed = smtp.to(confirmed.email)[0]
    assert str(to_confirmed["Subject"]).startswith("Изменения во встрече")
    method, ics = calendar_part(to_confirmed)
    assert method == "REQUEST" and "SEQUENCE:2" in ics
    assert "время начала" in parts(to_confirmed)["text/plain"].get_content()
    assert calendar_part(smtp.to(waiting.email)[0]) is None, "no invitation while waitlisted"
    # reminders follow the meetup
    reminder = await service.db.reminders.find_one({"registration_id": r1})
    assert reminder["starts_at"] == moved.starts_at

    smtp.messages.clear()
    await service.publish(MeetupCancelled(meetup=moved.model_copy(update={"sequence": 3})))
    await smtp.wait_count(2)
    await _quiet(service)
    assert len(smtp.messages) == 2
    cancel_mail = smtp.to(confirmed.email)[0]
    assert str(cancel_mail["Subject"]).startswith("Встреча отменена")
    method, ics = calendar_part(cancel_mail)
    assert method == "CANCEL" and "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert "SEQUENCE:3" in ics
    pending = await service.db.reminders.count_documents(
        {"meetup_id": m.meetup_id, "status": "pending"}
    )
    assert pending == 0


async def _quiet(service) -> None:
    """Nothing left to send."""
    await wait_until(lambda: _none_queued(service), timeout=10)


async def _none_queued(service) -> bool:
    return (
        await service.db.messages.count_documents({"status": {"$in": ["queued", "sending"]}}) == 0
    )
