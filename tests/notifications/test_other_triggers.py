"""Consultations, the thank-you after a completed meetup, erasure, and the webhook channel."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nkohub_contracts.common import Specialist
from nkohub_contracts.events import (
    AttendanceRecorded,
    ConsultationBooked,
    ConsultationCancelled,
    MeetupCompleted,
    MeetupFigures,
    MeetupScheduled,
    RegistrationConfirmed,
)
from nkohub_contracts.registry import PersonErased
from nkohub_notifications.domain import Status
from nkohub_shared.keys import new_secret
from nkohub_shared.privacy import verify
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.isolation import LINK_SECRET
from tests.support.notifications_smtp import address, parts

from .conftest import handled, meetup, participant, reg_id, start_service


def _consultation(kind, contact, **extra):
    return kind(
        consultation_id="c-1",
        slot_id="s-1",
        specialist=Specialist(
            specialist_id="sp-1",
            name="Анна Иванова",
            specialty="юрист",
            body="Минюст",
            email="lawyer@example.org",
        ),
        starts_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        duration_minutes=30,
        organization_name="АНО «Добрые дела»",
        contact=contact,
        **extra,
    )


async def test_consultation_booked_and_cancelled_reach_ngo_and_specialist(service, smtp):
    contact = participant("Пётр Петров")
    await service.publish(
        _consultation(ConsultationBooked, contact, question="Как изменить устав?")
    )
    await smtp.wait_count(2)
    ngo = smtp.to(contact.email)[0]
    specialist = smtp.to("lawyer@example.org")[0]
    assert str(ngo["Subject"]) == "Запись на консультацию: юрист, 3 декабря 2026 г., 15:00"
    ngo_text = parts(ngo)["text/plain"].get_content()
    assert "Вы записаны" in ngo_text and "Как изменить устав?" in ngo_text
    link = "https://events.example.org/consultations/c-1/cancel?token="
    token = ngo_text.split(link, 1)[1].split()[0]
    assert verify(LINK_SECRET, "consultation", "c-1", token)
    specialist_text = parts(specialist)["text/plain"].get_content()
    assert "К вам записались" in specialist_text and contact.email in specialist_text
    assert link not in specialist_text

    await service.publish(_consultation(ConsultationCancelled, contact, cancelled_by="staff"))
    await smtp.wait_count(4)
    assert {address(m) for m in smtp.messages[2:]} == {contact.email, "lawyer@example.org"}
    assert all(str(m["Subject"]).startswith("Консультация отменена") for m in smtp.messages[2:])


async def test_thank_you_with_feedback_link_only_to_attendees(ordered_service, smtp):
    service = ordered_service
    m = meetup(starts_in=timedelta(days=-1))
    came, absent, late = participant("Пришла"), participant("Не пришёл"), participant("Позже")
    r_came, r_absent, r_late = reg_id(), reg_id(), reg_id()
    for who, rid in ((came, r_came), (absent, r_absent), (late, r_late)):
        await service.publish(RegistrationConfirmed(registration_id=rid, meetup=m, participant=who))
    await smtp.wait_count(3)
    await service.publish(_attendance(m, came, r_came))
    await wait_until(lambda: _attended(service, r_came))
    figures = MeetupFigures(
        participants=1,
        attendances=1,
        organizations=0,
        consultations=0,
        registrations_confirmed=3,
        no_shows=2,
    )
    completed = MeetupCompleted(meetup=m, figures=figures)
    envelope = await service.publish(completed)
    await smtp.wait_count(4)
    thanks = smtp.messages[3]
    assert address(thanks) == came.email
    assert str(thanks["Subject"]) == f"Спасибо за участие: {m.title}"
    text = parts(thanks)["text/plain"].get_content()
    link = f"https://events.example.org/meetups/{m.meetup_id}/feedback?registration={r_came}&token="
    assert link in text
    assert verify(LINK_SECRET, "registration", r_came, text.split(link, 1)[1].split()[0])

    # recorded after the fact: thanked too; the completion event again: nobody twice
    await service.publish(_attendance(m, late, r_late, after=True))
    await smtp.wait_count(5)
    await service.publish(completed, envelope)
    again = await service.publish(MeetupCompleted(meetup=m, figures=figures))
    # one event at a time on the queue: the new completion handled → the copy was too
    await wait_until(lambda: handled(service, again))
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 5
    assert sorted(address(x) for x in smtp.messages[3:]) == sorted([came.email, late.email])


def _attendance(m, who, registration_id, after=False):
    return AttendanceRecorded(
        attendance_id=f"a-{registration_id}",
        meetup_id=m.meetup_id,
        meetup_title=m.title,
        meetup_starts_at=m.starts_at,
        person_key=who.person_key,
        role=who.role,
        registration_id=registration_id,
        checked_in_at=m.starts_at,
        recorded_after_the_fact=after,
    )


async def _attended(service, registration_id) -> bool:
    doc = await service.db.registrations.find_one({"_id": registration_id})
    return bool(doc and doc.get("attended"))


async def _none_queued(service) -> bool:
    busy = {"status": {"$in": [Status.QUEUED.value, Status.SENDING.value]}}
    return await service.db.messages.count_documents(busy) == 0


async def test_person_erased_removes_recipient_and_history(service, smtp):
    person = participant(email="erase-me@example.org", mailing_consent=True)
    keep = participant(email="keep@example.org")
    m = meetup()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=person)
    )
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=keep)
    )
    await smtp.wait_count(2)
    await wait_until(lambda: _none_queued(service))
    assert await service.db.subscribers.count_documents({"person_key": person.person_key}) == 1

    await service.publish(PersonErased(person_id="p-1", person_keys=[person.person_key]))

    async def erased() -> bool:
        left = 0
        for name, field in (
            ("subscribers", "person_key"),
            ("registrations", "person_key"),
            ("reminders", "person_key"),
            ("messages", "recipient_key"),
        ):
            left += await service.db[name].count_documents({field: person.person_key})
        return left == 0

    await wait_until(erased)
    assert await service.db.messages.count_documents({"recipient_key": keep.person_key}) == 1
    log = await service.client.get(
        "/api/v1/staff/messages", params={"recipient": person.email}, headers=staff_headers()
    )
    assert log.json()["total"] == 0


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        return None


@pytest.fixture
def webhook_server():
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


async def test_webhook_gets_the_signed_cloudevent(sandbox, smtp, webhook_server):
    secret = new_secret()
    local = {"webhook_secret": secret, "webhook_allow_private_targets": True}
    async with start_service(sandbox, smtp, **local) as service:
        url = f"http://127.0.0.1:{webhook_server.server_port}/hook"
        response = await service.client.post(
            "/api/v1/staff/recipients",
            json={
                "name": "Партнёр",
                "email": "partner@example.org",
                "webhook_url": url,
                "topics": {"meetups": {"email": False, "webhook": True}},
                "mailing_consent": True,
            },
            headers=staff_headers(role="admin"),
        )
        assert response.status_code == 201
        envelope = await service.publish(MeetupScheduled(meetup=meetup()))
        await wait_until(lambda: len(_Hook.received) >= 1)
        await wait_until(lambda: _none_queued(service))
        headers, body = _Hook.received[0]
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Nkohub-Signature"] == expected
        assert headers["Content-Type"] == "application/cloudevents+json"
        event = json.loads(body)
        assert event["id"] == envelope.id and event["type"] == "events.meetup.scheduled"
        assert smtp.messages == [], "e-mail was not opted in"
        [message] = await service.messages(channel="webhook")
        assert message["status"] == Status.SENT
