"""Alerts to staff: settings (admins change them), and each kind mailed exactly once
however often its trigger arrives."""

from __future__ import annotations

import uuid

from nkohub_contracts import CloudEvent
from nkohub_contracts.common import Participant
from nkohub_contracts.events import (
    QuestionSubmitted,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)
from nkohub_notifications.domain import Status
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import parts

from .conftest import handled, meetup, participant, reg_id

API = "/api/v1/staff/alerts"
LIBRARY = "biblioteka@example.org"
LIBRARIAN = "librarian@example.org"


async def configure(service, **changes) -> dict:
    body = {
        "library_email": LIBRARY,
        "staff_emails": [LIBRARIAN],
        "waitlist_threshold": 2,
        **changes,
    }
    r = await service.client.put(API, json=body, headers=staff_headers(role="admin"))
    assert r.status_code == 200, r.text
    return r.json()


async def alerts(service, template: str) -> list[dict]:
    return await service.messages(template=template)


async def test_settings_are_stored_and_only_admins_change_them(service):
    staff = staff_headers()
    assert (await service.client.get(API, headers=staff)).json()["kinds"] == {
        "question": True,
        "waitlist": True,
        "message_failed": True,
        "new_organization": True,
    }
    refused = await service.client.put(API, json={"library_email": LIBRARY}, headers=staff)
    assert refused.status_code == 403
    bad = await service.client.put(
        API, json={"staff_emails": ["not an address"]}, headers=staff_headers(role="admin")
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "staff_emails"
    saved = await configure(service, kinds={"waitlist": False}, staff_emails=["A@Example.org"])
    assert saved["staff_emails"] == ["A@example.org"] and saved["kinds"]["waitlist"] is False
    assert (await service.client.get(API, headers=staff)).json()["waitlist_threshold"] == 2


async def test_a_question_alerts_each_address_once_under_redelivery(ordered_service, smtp):
    service = ordered_service
    await configure(service)
    m = meetup()
    question = QuestionSubmitted(
        question_id=uuid.uuid4().hex, meetup_id=m.meetup_id, addressed_to="глава", text="Когда?"
    )
    envelope = await service.publish(question)
    await service.publish(question, envelope)  # the same event again
    await wait_until(lambda: handled(service, envelope))
    # A redelivery the inbox did not catch (its record lost): still nothing new.
    assert await service.ctx.alerts.question_submitted(question, envelope) == 0
    mails = await smtp.wait_count(2)
    assert sorted(str(m["To"]) for m in mails) == [LIBRARY, LIBRARIAN]
    text = parts(mails[0])["text/plain"].get_content()
    assert "Когда?" in text and "адресат: глава" in text
    assert len(await alerts(service, "alert_question")) == 2


async def test_a_waitlist_over_the_threshold_alerts_once_per_meetup(ordered_service, smtp):
    service = ordered_service
    await configure(service, staff_emails=[])
    m = meetup()
    envelopes = []
    for position in (1, 2, 3, 4):  # threshold 2: positions 3 and 4 are over it
        envelopes.append(
            await service.publish(
                RegistrationWaitlisted(
                    registration_id=reg_id(), meetup=m, participant=participant(), position=position
                )
            )
        )
    await service.publish(envelopes[2].model_copy())  # a redelivery of the first over it
    for envelope in envelopes:
        await wait_until(lambda e=envelope: handled(service, e))
    await wait_until(lambda: smtp.with_subject("Лист ожидания больше 2"))
    [alert] = await alerts(service, "alert_waitlist")
    assert alert["to"] == LIBRARY and alert["meetup_id"] == m.meetup_id
    assert f"Лист ожидания больше 2: {m.title}" == alert["subject"]
    assert "уже 3 чел." in alert["text"]


async def test_a_message_failed_for_good_alerts_once(ordered_service, smtp, spy):
    """A message that cannot be built (an invalid address) fails for good at once, with
    ``notifications.message.failed`` — as an SMTP 5xx does, without racing the sink."""
    service = ordered_service
    await configure(service, staff_emails=[])
    person = Participant(
        person_key="k-" + uuid.uuid4().hex,
        name="Мария",
        email="no-at-sign.example.org",
        role="ngo_representative",
    )
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
    )

    async def failed():
        found = await service.messages(recipient_key=person.person_key, status=Status.FAILED)
        return found[0] if found else None

    message = await wait_until(failed)
    events = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [failure] = [e for e in events if e["type"] == "notifications.message.failed"]
    await service.publish(CloudEvent.model_validate(failure))  # delivered again
    await wait_until(lambda: smtp.with_subject("Письмо не доставлено"))
    [alert] = await alerts(service, "alert_message_failed")
    assert alert["to"] == LIBRARY and alert["cause_event_id"] == failure["id"]
    assert message["_id"] in alert["text"]
    assert "invalid recipient address" in alert["text"]
    assert "no-at-sign" not in alert["text"]
    assert len(smtp.with_subject("Письмо не доставлено")) == 1
