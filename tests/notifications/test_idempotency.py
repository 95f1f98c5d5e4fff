"""Once means once: a re-run fan-out inserts nothing; a message queued for someone who
unsubscribed meanwhile is suppressed, not sent; trivial meetup edits send nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

from nkohub_contracts import new_event
from nkohub_contracts.events import MeetupScheduled, MeetupUpdated, RegistrationConfirmed
from nkohub_notifications.domain import Status, Topic
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

from .conftest import meetup, participant, reg_id
from .test_subscribers import add_recipient, unsubscribe_link


async def test_fan_out_run_twice_queues_each_message_once(service, smtp):
    for i in range(3):
        await add_recipient(service, f"f{i}@example.org", {"meetups": {"email": True}})
    m = meetup()
    envelope = new_event(MeetupScheduled(meetup=m))
    notifier = service.ctx.notifier

    async def fan_out() -> int:  # what a handler re-run after a crash would do
        return await notifier.to_followers(
            topic=Topic.MEETUPS,
            template="meetup_announcement",
            cause=envelope.id,
            context_for=lambda _: {"meetup": m.model_dump()},
            envelope=envelope,
        )

    assert await fan_out() == 3
    assert await fan_out() == 0
    await smtp.wait_count(3)
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 3


async def test_queued_announcement_is_suppressed_after_unsubscribe(service, smtp):
    follower = await add_recipient(service, "later-gone@example.org", {"meetups": {"email": True}})
    smtp.stop()
    await service.publish(MeetupScheduled(meetup=meetup()))

    async def tried() -> bool:
        doc = await service.db.messages.find_one({"subscriber_id": follower["id"]})
        return doc is not None and doc["attempts"] >= 1 and doc["status"] == Status.QUEUED

    await wait_until(tried)
    message = await service.db.messages.find_one({"subscriber_id": follower["id"]})
    link = service.ctx.notifier.links.unsubscribe(follower["id"], "meetups")
    assert link in message["headers"]["List-Unsubscribe"]
    https = unsubscribe_link({"List-Unsubscribe": message["headers"]["List-Unsubscribe"]})
    url = urlsplit(https)
    done = await service.client.post(f"{url.path}?{url.query}")
    assert done.status_code == 200

    smtp.start()

    async def suppressed() -> bool:
        doc = await service.db.messages.find_one({"_id": message["_id"]})
        return doc["status"] == Status.SUPPRESSED

    await wait_until(suppressed)
    assert smtp.messages == []
    counts = await service.client.get("/api/v1/staff/messages/counts", headers=staff_headers())
    assert counts.json()["counts"]["suppressed"] == 1


async def test_description_edit_sends_nothing_but_a_move_does(service, smtp):
    m = meetup(sequence=1)
    person = participant()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=person)
    )
    await smtp.wait_count(1)
    edited = m.model_copy(update={"description": "Исправлена опечатка", "sequence": 2})
    await service.publish(MeetupUpdated(meetup=edited, changed=["description"]))
    await wait_until(lambda: _handled(service, "events.meetup.updated", 1))
    venue = edited.venue.model_copy(update={"name": "Малый зал библиотеки"})
    moved = edited.model_copy(update={"venue": venue, "sequence": 3})
    await service.publish(MeetupUpdated(meetup=moved, changed=["venue"]))
    await smtp.wait_count(2)
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 2
    assert "Малый зал библиотеки" in smtp.messages[1].get_body(("plain",)).get_content()


async def _handled(service, event_type: str, n: int) -> bool:
    done = {"event_type": event_type, "state": "done"}
    return await service.db.processed_events.count_documents(done) >= n


async def _none_queued(service) -> bool:
    busy = {"status": {"$in": [Status.QUEUED.value, Status.SENDING.value]}}
    return await service.db.messages.count_documents(busy) == 0
