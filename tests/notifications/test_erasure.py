"""Erasure reaches every copy of a person in this service and lasts: events about them
from before the erasure — redelivered, or arriving late — bring nothing back."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

from nkohub_contracts.common import Specialist
from nkohub_contracts.events import (
    AttendanceRecorded,
    ConsultationBooked,
    RegistrationConfirmed,
)
from nkohub_contracts.registry import PersonErased
from tests.support.broker import publish_events, wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import parts

from .conftest import handled, meetup, none_queued, participant, reg_id

NAME = "Зинаида Стёртова"
EMAIL = "zinaida.stertova@example.org"


async def _everything(service) -> str:
    """Every document of every collection of the service's database, as JSON text."""
    texts = []
    for name in await service.db.list_collection_names():
        async for doc in service.db[name].find({}):
            texts.append(json.dumps(doc, default=str, ensure_ascii=False))
    return "\n".join(texts).lower()


def _traces(text: str) -> list[str]:
    return [w for w in (EMAIL, "zinaida", *NAME.lower().split()) if w in text]


def _booking(contact) -> ConsultationBooked:
    return ConsultationBooked(
        consultation_id=f"c-{uuid.uuid4().hex[:6]}",
        slot_id="s-1",
        specialist=Specialist(
            specialist_id="sp-1",
            name="Анна Юристова",
            specialty="юрист",
            email="lawyer@example.org",
        ),
        starts_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        duration_minutes=30,
        organization_name="АНО «Добрые дела»",
        contact=contact,
        question="Как изменить устав?",
    )


async def _data_of_the_person_everywhere(service, smtp):
    """Their data through every path: the public form (confirmed), a registration with
    consent (read model, reminders, its mail), a booked consultation (their mail and the
    specialist's, which names them), attendance. Returns the events."""
    form = {"name": NAME, "email": EMAIL, "topics": ["meetups", "grants"], "consent": True}
    assert (await service.client.post("/api/v1/subscriptions", json=form)).status_code == 202
    [confirm] = await smtp.wait_count(1)
    link = re.search(
        r"https://notify\.example\.org(\S+)", parts(confirm)["text/plain"].get_content()
    )
    assert (await service.client.post(link.group(1))).status_code == 200

    person = participant(name=NAME, email=EMAIL, mailing_consent=True)
    m, rid = meetup(), reg_id()
    registered = await service.publish(
        RegistrationConfirmed(registration_id=rid, meetup=m, participant=person)
    )
    booked = await service.publish(_booking(person))
    attended = await service.publish(
        AttendanceRecorded(
            attendance_id=f"a-{rid}",
            meetup_id=m.meetup_id,
            meetup_title=m.title,
            meetup_starts_at=m.starts_at,
            person_key=person.person_key,
            role=person.role,
            registration_id=rid,
            checked_in_at=m.starts_at,
        )
    )
    for envelope in (registered, booked, attended):
        await wait_until(lambda e=envelope: handled(service, e))
    await smtp.wait_count(4)  # confirmation, registration, consultation ×2
    await wait_until(lambda: none_queued(service))
    assert await service.db.reminders.count_documents({"person_key": person.person_key}) == 2
    assert _traces(await _everything(service)), "the person's data is there to erase"
    return person, [registered, booked, attended]


async def test_erasure_reaches_every_copy_and_late_events_bring_nothing_back(ordered_service, smtp):
    service = ordered_service
    person, events = await _data_of_the_person_everywhere(service, smtp)

    erased = await service.publish(PersonErased(person_id="p-1", person_keys=[person.person_key]))
    await wait_until(lambda: handled(service, erased))
    mailed = len(smtp.messages)

    # redelivered (the same envelopes), then late (never seen, written before the erasure)
    late = [e.model_copy(update={"id": str(uuid.uuid4())}) for e in events]
    await publish_events(service.sandbox.amqp_url, *events, *late)
    for envelope in late:  # one event at a time per queue: the copies before it are done
        await wait_until(lambda e=envelope: handled(service, e))
    await wait_until(lambda: none_queued(service))

    assert _traces(await _everything(service)) == []
    assert len(smtp.messages) == mailed, "no mail after the erasure"
    [specialist] = await service.messages(template="consultation_booked")
    assert specialist["to"] == "lawyer@example.org" and specialist["status"] == "sent"
    log = await service.client.get(
        "/api/v1/staff/messages", params={"recipient": EMAIL}, headers=staff_headers()
    )
    assert log.json()["total"] == 0

    # a registration written after the erasure is a new act: handled as usual
    again = participant(name=NAME, email=EMAIL)
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=again)
    )
    await smtp.wait_count(mailed + 1)


async def test_deleting_a_recipient_removes_every_copy_of_them(service, smtp):
    person, _ = await _data_of_the_person_everywhere(service, smtp)
    subscriber = await service.db.subscribers.find_one({"person_key": person.person_key})
    deleted = await service.client.delete(
        f"/api/v1/staff/recipients/{subscriber['_id']}", headers=staff_headers(role="admin")
    )
    assert deleted.status_code == 204
    assert _traces(await _everything(service)) == []
