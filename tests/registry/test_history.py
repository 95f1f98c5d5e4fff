"""The history read model, fed by real events of the events service on the bus."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nkohub_contracts.common import ProgramItem, Specialist
from nkohub_contracts.events import (
    AttendanceRecorded,
    ConsultationCompleted,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_registry.consumers import attendance_recorded
from nkohub_shared.privacy import person_key
from tests.registry.conftest import ADMIN, STAFF, create_org, publish
from tests.support.broker import wait_until
from tests.support.snapshots import meetup_snapshot

API = "/api/v1/organizations"
PAST = datetime(2019, 5, 28, 15, 0, tzinfo=UTC)


def meetup(meetup_id: str, starts_at: datetime, program: list[ProgramItem], seq: int = 0):
    return meetup_snapshot(
        meetup_id=meetup_id,
        slug=meetup_id,
        title="Презентация НКО",
        starts_at=starts_at,
        program=program,
        sequence=seq,
    )


def attendance(n: int, meetup_id: str, email: str, org_id: str, at: datetime):
    return AttendanceRecorded(
        attendance_id=f"att-{n}",
        meetup_id=meetup_id,
        meetup_title="Презентация НКО",
        meetup_starts_at=at,
        person_key=person_key(email),
        role="ngo_representative",
        organization_id=org_id,
        checked_in_at=at,
    )


async def history(client, org_id: str) -> dict:
    return (await client.get(f"{API}/{org_id}")).json()["history"]


async def test_history_is_kept_from_the_events_services_events(registry, sandbox):
    a = await create_org(registry, full_name="АНО «Аист»")
    b = await create_org(registry, full_name="АНО «Бобр»")
    c = await create_org(registry, full_name="АНО «Волна»")
    d = await create_org(registry, full_name="АНО «Гусь»")
    program = [
        ProgramItem(position=1, kind="talk", title="Аналитика НКО города"),
        ProgramItem(position=2, kind="ngo_presentation", title="Аист", organization_id=a["id"]),
        ProgramItem(position=3, kind="ngo_presentation", title="Бобр", organization_id=b["id"]),
    ]
    later = PAST + timedelta(days=44)
    envelopes = await publish(
        sandbox.amqp_url,
        MeetupScheduled(meetup=meetup("m1", PAST, program)),
        attendance(1, "m1", "one@example.ru", a["id"], PAST),
        attendance(2, "m1", "two@example.ru", a["id"], PAST + timedelta(minutes=5)),
        attendance(3, "m2", "one@example.ru", a["id"], later),
        ConsultationCompleted(
            consultation_id="cons-1",
            slot_id="slot-1",
            specialist=Specialist(specialist_id="s1", name="ИФНС", specialty="tax_inspector"),
            starts_at=later,
            duration_minutes=30,
            organization_id=c["id"],
            given_on=date(2019, 10, 3),
        ),
    )

    async def settled() -> bool:
        h = await history(registry, c["id"])
        return h["consultations_received"] == 1 and (
            (await history(registry, a["id"]))["meetups_attended"] == 2
        )

    await wait_until(settled)
    ha = await history(registry, a["id"])
    assert ha["meetups_attended"] == 2 and ha["people_came"] == 2
    assert ha["presentations_given"] == 1 and ha["presentations"][0]["titles"] == ["Аист"]
    assert ha["last_contact_at"].startswith("2019-07-11")
    hc = await history(registry, c["id"])
    assert hc["consultations_received"] == 1
    assert hc["last_contact_at"].startswith("2019-10-03")
    assert (await history(registry, b["id"]))["presentations_given"] == 1
    assert "person_keys" not in str(ha) and person_key("one@example.ru") not in str(ha)

    never = (await registry.get(API, params={"never_came": True})).json()["items"]
    assert [o["full_name"] for o in never] == ["АНО «Гусь»"]
    assert d["id"] == never[0]["id"]

    # the same attendance event again (redelivery, republish) and the handler re-run
    # directly after a "crash" change nothing
    await publish(sandbox.amqp_url, envelopes[1])
    ctx = registry.app.state.runtime.context
    event = attendance(1, "m1", "one@example.ru", a["id"], PAST)
    await attendance_recorded(ctx, event, envelopes[1])
    await publish(sandbox.amqp_url, attendance(4, "m1", "three@example.ru", b["id"], PAST))
    await wait_until(lambda: _people(registry, b["id"], 1))
    assert (await history(registry, a["id"]))["people_came"] == 2

    # the program changed: Бобр no longer presents
    updated = meetup("m1", PAST, program[:2], seq=1)
    await publish(sandbox.amqp_url, MeetupUpdated(meetup=updated, changed=["program"]))
    await wait_until(lambda: _presentations(registry, b["id"], 0))
    assert (await history(registry, a["id"]))["presentations_given"] == 1


async def _people(client, org_id: str, n: int) -> bool:
    return (await history(client, org_id))["people_came"] == n


async def _presentations(client, org_id: str, n: int) -> bool:
    return (await history(client, org_id))["presentations_given"] == n


async def test_erasing_a_person_keeps_the_count_but_not_their_key(registry, sandbox):
    org = await create_org(registry)
    await publish(sandbox.amqp_url, attendance(1, "m1", "Anna@example.ru", org["id"], PAST))
    await wait_until(lambda: _people(registry, org["id"], 1))
    consent = {
        "purpose": "встречи",
        "text_version": "1",
        "given_at": "2019-03-01T10:00:00Z",
        "source": "анкета",
    }
    person = await registry.post(
        "/api/v1/people",
        json={
            "full_name": "Анна",
            "role": "activist",
            "email": "anna@example.ru",
            "processing_consent": consent,
        },
        headers=STAFF,
    )
    erased = await registry.delete(f"/api/v1/people/{person.json()['id']}", headers=ADMIN)
    assert erased.status_code == 200
    stored = await registry.client_db().history.find_one({"_id": org["id"]})
    assert person_key("anna@example.ru") not in stored["person_keys"]
    assert (await history(registry, org["id"]))["people_came"] == 1


async def test_grants_won_are_entered_by_staff_and_shown_in_the_history(registry):
    org = await create_org(registry)
    grant = {
        "competition": "Конкурс президентских грантов",
        "foundation": "Фонд президентских грантов",
        "year": 2019,
        "amount": 480000,
        "project_title": "Шахматы во дворах",
    }
    url = f"{API}/{org['id']}/grants"
    assert (await registry.post(url, json=grant)).status_code == 401
    assert (
        await registry.post(url, json={**grant, "year": 1812}, headers=STAFF)
    ).status_code == 422
    response = await registry.post(url, json=grant, headers=STAFF)
    assert response.status_code == 201
    grants = (await history(registry, org["id"]))["grants"]
    assert [g["project_title"] for g in grants] == ["Шахматы во дворах"]
    assert grants[0]["amount"] == 480000
