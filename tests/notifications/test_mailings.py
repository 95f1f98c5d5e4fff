"""Mailings staff write: segments and their counts (who is left out and why), preview,
test send, send now with the topic's one-click unsubscribe, schedule and cancel, the
mailing events with counts and no addresses, progress, and the staff door (401/409/422)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.events import (
    AttendanceRecorded,
    MeetupCompleted,
    MeetupFigures,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)
from nkohub_contracts.registry import OrganizationDeactivated, OrganizationRegistered
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import address, parts

from .conftest import handled, meetup, none_queued, participant, reg_id
from .test_subscribers import add_recipient

STAFF = staff_headers()


def organization(email: str | None, areas: list[str], **extra) -> OrganizationPublic:
    return OrganizationPublic(
        organization_id=f"o-{uuid.uuid4().hex[:8]}",
        full_name=f"АНО «Тест {uuid.uuid4().hex[:4]}»",
        short_name=None,
        legal_form="ano",
        ogrn="1021800000000",
        activity_areas=areas,
        public_email=email,
        **extra,
    )


async def registered(service, *organizations: OrganizationPublic) -> None:
    for org in organizations:
        envelope = await service.publish(OrganizationRegistered(organization=org, source="staff"))
        await wait_until(lambda e=envelope: handled(service, e))


async def create(service, segment: dict, body: str = "Здравствуйте! **Важно**: приходите.") -> dict:
    response = await service.client.post(
        "/api/v1/staff/mailings",
        json={"subject": "Консультация по отчётности", "body": body, "segment": segment},
        headers=STAFF,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def audience(service, segment: dict) -> dict:
    response = await service.client.post(
        "/api/v1/staff/mailings/audience", json=segment, headers=STAFF
    )
    assert response.status_code == 200, response.text
    return response.json()


async def sent(service, mailing_id: str) -> dict:
    async def done():
        doc = await service.client.get(f"/api/v1/staff/mailings/{mailing_id}", headers=STAFF)
        return doc.json() if doc.json()["status"] == "sent" else None

    return await wait_until(done, timeout=30)


async def test_segments_of_organizations_count_who_is_left_out_and_why(service):
    youth = organization("youth@ngo.example.org", ["youth"])
    sport = organization("sport@ngo.example.org", ["sport"])
    silent = organization(None, ["youth"])
    closed = organization("closed@ngo.example.org", ["youth"])
    visited = organization("came@ngo.example.org", ["youth"])
    await registered(service, youth, sport, silent, closed, visited)
    envelope = await service.publish(
        OrganizationDeactivated(organization_id=closed.organization_id, status="liquidated")
    )
    await wait_until(lambda: handled(service, envelope))
    # sport's address asked to stop every mailing
    stopped = await add_recipient(service, "sport@ngo.example.org", {})
    await service.client.patch(
        f"/api/v1/staff/recipients/{stopped['id']}",
        json={"status": "unsubscribed"},
        headers=STAFF,
    )
    seen = await service.publish(
        AttendanceRecorded(
            attendance_id="a-1",
            meetup_id="m-past",
            meetup_title="Прошлая встреча",
            meetup_starts_at=datetime(2026, 3, 28, 14, tzinfo=UTC),
            person_key="someone",
            role="ngo_representative",
            organization_id=visited.organization_id,
            checked_in_at=datetime(2026, 3, 28, 14, tzinfo=UTC),
        )
    )
    await wait_until(lambda: handled(service, seen))

    everyone = await audience(service, {"kind": "organizations"})
    assert everyone == {"included": 2, "no_consent": 0, "unsubscribed": 1, "no_address": 1}
    assert await audience(service, {"kind": "organizations", "activity_areas": ["sport"]}) == {
        "included": 0,
        "no_consent": 0,
        "unsubscribed": 1,
        "no_address": 0,
    }
    never = await audience(
        service, {"kind": "organizations", "activity_areas": ["youth"], "never_came": True}
    )
    assert never == {"included": 1, "no_consent": 0, "unsubscribed": 0, "no_address": 1}


async def test_a_mailing_goes_now_with_its_topic_unsubscribe_and_reports_its_counts(
    service, smtp, spy
):
    youth = organization("youth@ngo.example.org", ["youth"])
    culture = organization("culture@ngo.example.org", ["culture"])
    await registered(service, youth, culture)
    mailing = await create(service, {"kind": "organizations"})
    assert mailing["status"] == "draft" and mailing["topic"] == "mailings"

    preview = await service.client.get(
        f"/api/v1/staff/mailings/{mailing['id']}/preview", headers=STAFF
    )
    assert preview.headers["content-type"].startswith("text/html")
    assert "<strong>Важно</strong>" in preview.text and "Отписаться от темы" in preview.text

    test = await service.client.post(
        f"/api/v1/staff/mailings/{mailing['id']}/test",
        json={"email": "librarian@library.example.org"},
        headers=STAFF,
    )
    assert test.status_code == 202, test.text
    [trial] = await smtp.wait_count(1)
    assert address(trial) == "librarian@library.example.org"
    assert str(trial["Subject"]) == "[Проверка] Консультация по отчётности"

    scheduled = await service.client.post(
        f"/api/v1/staff/mailings/{mailing['id']}/send", json={}, headers=STAFF
    )
    assert scheduled.status_code == 202, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    done = await sent(service, mailing["id"])
    assert done["progress"] == {"queued": 0, "sending": 0, "sent": 2, "failed": 0, "suppressed": 0}
    await smtp.wait_count(3)
    mails = {address(m): m for m in smtp.messages[1:]}
    assert set(mails) == {"youth@ngo.example.org", "culture@ngo.example.org"}
    mail = mails["youth@ngo.example.org"]
    assert str(mail["Subject"]) == "Консультация по отчётности"
    assert "<strong>Важно</strong>" in parts(mail)["text/html"].get_content()
    assert "**Важно**" in parts(mail)["text/plain"].get_content()
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    header = str(mail["List-Unsubscribe"])
    assert header.count("<") == 1 and "mailto:" not in header
    link = urlsplit(header.strip("<>"))
    assert parse_qs(link.query)["topic"] == ["mailings"]
    assert "/preferences/" in parts(mail)["text/plain"].get_content()

    events = await spy.wait_for(
        lambda es: (
            {"notifications.mailing.scheduled", "notifications.mailing.sent"}
            <= {e["type"] for e in es}
        )
    )
    by_type = {
        e["type"]: e["data"] for e in events if e["type"].startswith("notifications.mailing")
    }
    assert by_type["notifications.mailing.scheduled"]["counts"]["included"] == 2
    final = by_type["notifications.mailing.sent"]
    assert final["mailing_id"] == mailing["id"] and final["segment"] == "organizations"
    assert final["counts"] == {
        "included": 2,
        "no_consent": 0,
        "unsubscribed": 0,
        "no_address": 0,
        "sent": 2,
        "failed": 0,
        "suppressed": 0,
    }
    assert "@" not in str(by_type)  # counts, never addresses

    # one click (RFC 8058) stops the topic «mailings» only; the next mailing leaves them out
    clicked = await service.client.post(
        f"{link.path}?{link.query}", data={"List-Unsubscribe": "One-Click"}
    )
    assert clicked.status_code == 200 and "Вы отписаны" in clicked.text
    assert await audience(service, {"kind": "organizations"}) == {
        "included": 1,
        "no_consent": 0,
        "unsubscribed": 1,
        "no_address": 0,
    }


async def test_registrants_by_status_and_topic_and_list_segments(service):
    m = meetup()
    alice, bob, carol, dan = (participant(n) for n in ("Алиса", "Борис", "Карина", "Денис"))
    regs = {p.email: reg_id() for p in (alice, bob, carol, dan)}
    for person in (alice, bob, carol):
        envelope = await service.publish(
            RegistrationConfirmed(registration_id=regs[person.email], meetup=m, participant=person)
        )
        await wait_until(lambda e=envelope: handled(service, e))
    envelope = await service.publish(
        RegistrationWaitlisted(
            registration_id=regs[dan.email], meetup=m, participant=dan, position=1
        )
    )
    await wait_until(lambda: handled(service, envelope))
    came = await service.publish(
        AttendanceRecorded(
            attendance_id="a-alice",
            meetup_id=m.meetup_id,
            meetup_title=m.title,
            meetup_starts_at=m.starts_at,
            person_key=alice.person_key,
            role="ngo_representative",
            registration_id=regs[alice.email],
            checked_in_at=m.starts_at,
        )
    )
    await wait_until(lambda: handled(service, came))

    def registrants(*statuses: str) -> dict:
        return {"kind": "meetup_registrants", "meetup_id": m.meetup_id, "statuses": statuses}

    assert (await audience(service, registrants("confirmed")))["included"] == 3
    assert (await audience(service, registrants("waitlisted")))["included"] == 1
    assert (await audience(service, registrants("came")))["included"] == 1
    # no-shows exist only once the meetup is completed
    assert (await audience(service, registrants("no_show")))["included"] == 0
    figures = MeetupFigures(
        participants=1,
        attendances=1,
        organizations=0,
        consultations=0,
        registrations_confirmed=3,
        no_shows=2,
    )
    done = await service.publish(MeetupCompleted(meetup=m, figures=figures))
    await wait_until(lambda: handled(service, done))
    assert (await audience(service, registrants("no_show")))["included"] == 2
    unknown = await service.client.post(
        "/api/v1/staff/mailings/audience",
        json={"kind": "meetup_registrants", "meetup_id": "nope", "statuses": ["came"]},
        headers=STAFF,
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "segment.meetup_id"

    # a topic's subscribers: only the consented; the hand-picked list: consent needed too
    await add_recipient(service, "grants@example.org", {"grants": {"email": True}})
    await add_recipient(service, "paper@example.org", {"grants": {"email": True}}, consent=False)
    assert await audience(service, {"kind": "topic", "topic": "grants"}) == {
        "included": 1,
        "no_consent": 1,
        "unsubscribed": 0,
        "no_address": 0,
    }
    picked = {"kind": "list", "recipients": ["grants@example.org", "stranger@example.org"]}
    assert await audience(service, picked) == {
        "included": 1,
        "no_consent": 1,
        "unsubscribed": 0,
        "no_address": 0,
    }


async def test_a_scheduled_mailing_waits_and_can_be_cancelled(service, smtp, spy):
    await registered(service, organization("later@ngo.example.org", []))
    mailing = await create(service, {"kind": "organizations"})
    url = f"/api/v1/staff/mailings/{mailing['id']}"
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    refused = await service.client.post(f"{url}/send", json={"send_at": past}, headers=STAFF)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "send_at"

    at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    scheduled = await service.client.post(
        f"{url}/send", json={"send_at": at.isoformat()}, headers=STAFF
    )
    assert scheduled.status_code == 202
    assert datetime.fromisoformat(scheduled.json()["send_at"]) == at
    assert await service.ctx.mailings.run_due() == 0  # not yet
    changed = await service.client.patch(url, json={"subject": "Новая тема"}, headers=STAFF)
    assert changed.status_code == 200 and changed.json()["status"] == "scheduled"

    cancelled = await service.client.post(f"{url}/cancel", headers=STAFF)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await service.client.post(f"{url}/cancel", headers=STAFF)
    assert again.status_code == 409 and again.json()["error"]["field"] == "status"
    late = await service.client.patch(url, json={"subject": "x"}, headers=STAFF)
    assert late.status_code == 409
    resend = await service.client.post(f"{url}/send", json={}, headers=STAFF)
    assert resend.status_code == 409
    assert await service.db.messages.count_documents({"mailing_id": mailing["id"]}) == 0
    assert smtp.messages == []
    events = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.mailing.scheduled" for e in es)
    )
    assert not any(e["type"] == "notifications.mailing.sent" for e in events)


async def test_the_staff_door_of_mailings(service):
    segment = {"kind": "organizations"}
    body = {"subject": "Тема", "body": "Текст", "segment": segment}
    assert (await service.client.post("/api/v1/staff/mailings", json=body)).status_code == 401
    bad = await service.client.post(
        "/api/v1/staff/mailings",
        json={**body, "segment": {"kind": "meetup_registrants"}},
        headers=STAFF,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("segment")
    bad_list = await service.client.post(
        "/api/v1/staff/mailings/audience",
        json={"kind": "list", "recipients": ["not an address@"]},
        headers=STAFF,
    )
    assert bad_list.status_code == 422
    missing = await service.client.get("/api/v1/staff/mailings/none", headers=STAFF)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "mailing_id"
    # a segment that mails nobody is refused when sending
    empty = await create(service, {"kind": "topic", "topic": "blog"})
    refused = await service.client.post(
        f"/api/v1/staff/mailings/{empty['id']}/send", json={}, headers=STAFF
    )
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "segment"


async def test_someone_who_unsubscribes_before_their_turn_is_suppressed_not_mailed(service, smtp):
    first = await add_recipient(service, "first@example.org", {"mailings": {"email": True}})
    second = await add_recipient(service, "second@example.org", {"mailings": {"email": True}})
    smtp.stop()  # nothing leaves until the second one unsubscribed
    mailing = await create(service, {"kind": "topic", "topic": "mailings"})
    await service.client.post(
        f"/api/v1/staff/mailings/{mailing['id']}/send", json={}, headers=STAFF
    )

    async def queued() -> bool:
        return await service.db.messages.count_documents({"mailing_id": mailing["id"]}) == 2

    await wait_until(queued)
    link = urlsplit(service.ctx.notifier.links.unsubscribe(second["id"], "mailings"))
    assert (await service.client.post(f"{link.path}?{link.query}")).status_code == 200

    async def suppressed() -> bool:  # at its next attempt, while the server is still down
        doc = await service.db.messages.find_one({"subscriber_id": second["id"]})
        return doc["status"] == "suppressed"

    await wait_until(suppressed)
    smtp.start()
    done = await sent(service, mailing["id"])
    await wait_until(lambda: none_queued(service))
    assert done["progress"]["sent"] == 1 and done["progress"]["suppressed"] == 1
    assert [address(m) for m in smtp.messages] == ["first@example.org"]
    assert first["id"] != second["id"]


@pytest.mark.parametrize("kind", ["organizations"])
async def test_a_contact_gets_a_recipient_to_unsubscribe_with(service, smtp, kind):
    await registered(service, organization("contact@ngo.example.org", []))
    mailing = await create(service, {"kind": kind})
    await service.client.post(
        f"/api/v1/staff/mailings/{mailing['id']}/send", json={}, headers=STAFF
    )
    await sent(service, mailing["id"])
    contact = await service.db.subscribers.find_one({"email": "contact@ngo.example.org"})
    assert contact["status"] == "contact" and contact["mailing_consent"] is False
    # a contact is never taken for a subscriber of a topic
    assert (await audience(service, {"kind": "topic", "topic": "mailings"}))["included"] == 0
