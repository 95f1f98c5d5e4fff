"""The «new NGO» alert: a self-registration's ``registry.proposal.submitted`` mails each
staff address once, however often the event arrives, with the console's proposal page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nkohub_contracts.registry import ProposalSubmitted
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import parts

from .conftest import handled, none_queued

API = "/api/v1/staff/alerts"
LIBRARY = "biblioteka@example.org"
LIBRARIAN = "librarian@example.org"


def proposal() -> ProposalSubmitted:
    return ProposalSubmitted(
        proposal_id=uuid.uuid4().hex,
        name="АНО «Серебряный возраст»",
        full_name="Автономная некоммерческая организация «Серебряный возраст»",
        city="Глазов",
        activity_areas=["social_support", "veterans"],
        submitted_at=datetime(2026, 4, 2, 15, 12, tzinfo=UTC),
    )


async def configure(service, **changes) -> None:
    body = {"library_email": LIBRARY, "staff_emails": [LIBRARIAN], **changes}
    r = await service.client.put(API, json=body, headers=staff_headers(role="admin"))
    assert r.status_code == 200, r.text


async def test_a_new_proposal_alerts_each_address_exactly_once_under_redelivery(
    ordered_service, smtp
):
    service = ordered_service
    await configure(service)
    event = proposal()
    envelope = await service.publish(event)
    await service.publish(event, envelope)  # the same event redelivered
    again = await service.publish(event)  # a second envelope of the same proposal
    await wait_until(lambda: handled(service, again))
    # A redelivery the inbox did not catch: still nothing new.
    assert await service.ctx.alerts.proposal_submitted(event, envelope) == 0
    mails = await smtp.wait_count(2)
    await wait_until(lambda: none_queued(service))
    sent = smtp.with_subject("Новая заявка НКО")
    assert sorted(str(m["To"]) for m in sent) == [LIBRARY, LIBRARIAN]
    assert len(mails) == 2 and len(smtp.messages) == 2
    assert str(sent[0]["Subject"]) == "Новая заявка НКО: АНО «Серебряный возраст»"
    text = parts(sent[0])["text/plain"].get_content()
    assert "Автономная некоммерческая организация «Серебряный возраст», Глазов" in text
    assert "Направления: социальная поддержка, ветераны." in text
    assert f"http://localhost:8000/console/proposals/{event.proposal_id}" in text
    html = parts(sent[0])["text/html"].get_content()
    assert f'href="http://localhost:8000/console/proposals/{event.proposal_id}"' in html
    stored = await service.messages(template="alert_new_organization")
    assert len(stored) == 2
    assert all(m["key"].startswith(f"alert:proposal:{event.proposal_id}|") for m in stored)


async def test_the_new_organization_alert_can_be_turned_off(ordered_service, smtp):
    service = ordered_service
    await configure(service, kinds={"new_organization": False})
    off = await service.publish(proposal())
    await wait_until(lambda: handled(service, off))
    assert await service.messages(template="alert_new_organization") == []
    settings = (await service.client.get(API, headers=staff_headers())).json()
    assert settings["kinds"]["new_organization"] is False
