"""The practice report from records and consumed events; calendars; the registry's
organization and erasure events consumed from the real bus."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from openpyxl import load_workbook

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.publishing import PostPublished, PostUnpublished, ViewsCounted
from nkohub_contracts.registry import OrganizationRegistered, PersonErased
from nkohub_shared.privacy import person_key
from tests.events.conftest import (
    STAFF,
    consumed,
    move_to_past,
    person,
    publish,
    scheduled_meetup,
)
from tests.support.broker import publish_events, wait_until


def org(oid: str, name: str, ogrn: str) -> OrganizationRegistered:
    return OrganizationRegistered(
        organization=OrganizationPublic(
            organization_id=oid, full_name=name, legal_form="АНО", ogrn=ogrn
        ),
        source="staff",
    )


async def test_practice_report_counts_from_records_and_publishing_events(events, sandbox):
    db = events.app.state.runtime.db
    await publish(sandbox, org("org-x", "АНО «Икс»", "1021800000001"))
    await publish(sandbox, org("org-y", "Фонд «Игрек»", "1021800000002"))
    await wait_until(lambda: db["organizations"].count_documents({}), timeout=10)
    await wait_until(lambda: _equals(db["organizations"].count_documents({}), 2), timeout=10)
    now = datetime.now(UTC)
    await publish(sandbox, _post("p1", now - timedelta(hours=20)))
    await publish(sandbox, _post("p2", now - timedelta(hours=10)))
    await publish(sandbox, _post("p3", now - timedelta(days=40)))
    await publish(sandbox, PostUnpublished(post_id="p2", slug="p2"))
    for hours, views in ((30, 5), (5, 7), (24 * 50, 100)):
        start = (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
        await publish(
            sandbox,
            ViewsCounted(
                period_start=start, period_end=start + timedelta(hours=1), views=views, posts=[]
            ),
        )

    a = await scheduled_meetup(
        events,
        program=[{"kind": "ngo_presentation", "title": "Презентация", "organization_id": "org-x"}],
    )
    b = await scheduled_meetup(events, kind="unscheduled_meeting")
    people = {
        "p1": person(1, organization_name="АНО «Один»"),
        "p2": person(2, role="official", organization_name="Администрация г. Глазова"),
        "p3": person(3, organization_ogrn="1021800000002", organization_name=None),
    }
    regs = {}
    for meetup in (a, b):
        for key, body in people.items():
            r = await events.post(f"/api/v1/meetups/{meetup['meetup_id']}/registrations", json=body)
            regs[(meetup["meetup_id"], key)] = r.json()
    assert (
        await db["registrations"].find_one({"_id": regs[(a["meetup_id"], "p3")]["registration_id"]})
    )["organization_id"] == "org-y", "ОГРН matched through the registry's read model"
    for mid, keys in ((a["meetup_id"], ("p1", "p2", "p3")), (b["meetup_id"], ("p1",))):
        for key in keys:
            rid = regs[(mid, key)]["registration_id"]
            r = await events.post(f"/api/v1/registrations/{rid}/check-in", headers=STAFF)
            assert r.status_code == 200
        await move_to_past(events, mid)
        assert (await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)).is_success
    spec = await events.post(
        "/api/v1/specialists", json={"name": "Юрист", "specialty": "lawyer"}, headers=STAFF
    )
    today = datetime.now(ZoneInfo("Europe/Samara")).date()
    given = {
        "specialist_id": spec.json()["specialist_id"],
        "given_on": today.isoformat(),
        "meetup_id": a["meetup_id"],
        "organization_id": "org-x",
    }
    assert (await events.post("/api/v1/consultations", json=given, headers=STAFF)).is_success
    await wait_until(lambda: db["posts"].count_documents({"published": False}), timeout=10)
    await wait_until(lambda: _equals(db["post_views"].count_documents({}), 3), timeout=10)

    period = f"from={(today - timedelta(days=2)).isoformat()}&to={today.isoformat()}"
    report = (await events.get(f"/api/v1/reports/practice?{period}", headers=STAFF)).json()
    assert report["indicators"] == {
        "meetups_held": 1,  # the unscheduled meeting is counted apart, as in the passport
        "other_meetings_held": 1,
        "ngos_took_part": 3,  # Икс (program), Один, Игрек; not the administration
        "participants": 3,
        "attendances": 4,
        "consultations_given": 1,
        "posts_published": 1,
        "post_views": 12,
    }
    assert {r["role"]: r["participants"] for r in report["per_role"]} == {
        "ngo_representative": 2,
        "official": 1,
    }
    assert report["per_specialty"] == [{"specialty": "lawyer", "consultations": 1}]
    per_meetup = {r["meetup_id"]: r for r in report["per_meetup"]}
    assert per_meetup[a["meetup_id"]]["ngos"] == 3 and per_meetup[b["meetup_id"]]["ngos"] == 1

    csv_body = await events.get(f"/api/v1/reports/practice?{period}&format=csv", headers=STAFF)
    rows = list(
        csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[:2] == [["Итоги"], ["Код", "Показатель", "Значение"]]
    assert ["meetups_held", "Проведено митапов", "1"] in rows
    assert ["other_meetings_held", "Внеплановых встреч и дней консультаций", "1"] in rows
    titles = [row[0] for row, before in zip(rows[1:], rows, strict=False) if before == []]
    assert titles == ["Встречи", "Роли", "Специалисты"], "the breakdowns follow the results"
    assert ["lawyer", "юрист", "1"] in rows
    xlsx = await events.get(f"/api/v1/reports/practice?{period}&format=xlsx", headers=STAFF)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Итоги", "Встречи", "Роли", "Специалисты"]
    assert list(book["Итоги"].values)[3] == ("ngos_took_part", "НКО приняли участие", 3)

    bad = await events.get("/api/v1/reports/practice?from=2020-02-01&to=2020-01-01", headers=STAFF)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "to"
    bad = await events.get("/api/v1/reports/practice?from=2020-13-01&to=2020-01-01", headers=STAFF)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "from"
    assert (await events.get(f"/api/v1/reports/practice?{period}")).status_code == 401


async def _equals(count, expected):
    return (await count) == expected


def _post(post_id: str, at: datetime) -> PostPublished:
    return PostPublished(
        post_id=post_id,
        slug=post_id,
        title=post_id,
        category="grants",
        url=f"https://example.org/{post_id}",
        published_at=at,
    )


async def test_calendar_has_stable_uid_growing_sequence_and_cancelled_status(events):
    m = await scheduled_meetup(events)
    mid = m["meetup_id"]
    first = Calendar.from_ical((await events.get(f"/api/v1/meetups/{mid}/calendar.ics")).content)
    event = first.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{mid}@nkohub" and int(event["SEQUENCE"]) == 0
    assert "ПНБ им. В.Г. Короленко" in str(event["LOCATION"])
    await events.patch(f"/api/v1/meetups/{mid}", json={"title": "Новое название"}, headers=STAFF)
    await events.post(f"/api/v1/meetups/{mid}/cancel", headers=STAFF)
    feed = await events.get("/api/v1/calendar.ics")
    assert feed.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(feed.content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{mid}@nkohub" and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED" and str(event["SUMMARY"]) == "Новое название"


async def test_erasure_from_the_registry_removes_names_and_contacts(events, sandbox):
    db = events.app.state.runtime.db
    mid = (await scheduled_meetup(events))["meetup_id"]
    reg = (
        await events.post(
            f"/api/v1/meetups/{mid}/registrations",
            json=person(1, phone="+7 900 000 00 00"),
        )
    ).json()
    await events.post(f"/api/v1/registrations/{reg['registration_id']}/check-in", headers=STAFF)
    await publish(
        sandbox,
        PersonErased(person_id="p-1", person_keys=[person_key("Person1@example.org")]),
    )
    await wait_until(lambda: db["registrations"].count_documents({"erased": True}), timeout=10)

    # Events written before the erasure may still wait in the outbox for the relay's next
    # batch; they leave with it (and their consumers respect the erasure): wait for that.
    async def outbox_empty() -> bool:
        return await db["registrations"].count_documents({"_outbox.0": {"$exists": True}}) == 0

    await wait_until(outbox_empty, timeout=10)
    stored = await db["registrations"].find_one({"_id": reg["registration_id"]})
    assert stored["name"] == "(удалено)" and stored["phone"] is None
    assert "person1" not in str(stored)
    attendance = await db["attendances"].find_one({"meetup_id": mid})
    assert attendance["name"] == "(удалено)" and attendance["person_key"] == stored["person_key"]
    again = await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))
    assert again.status_code == 409 and again.json()["error"]["reason"] == "erased", (
        "the public form does not bring an erased person's data back"
    )
    at_the_desk = await events.post(
        f"/api/v1/meetups/{mid}/registrations", json=person(1), headers=STAFF
    )
    assert at_the_desk.status_code == 201, "staff may register them afresh, with a new consent"


async def test_staff_see_the_organizations_known_from_the_registry(events, sandbox):
    db = events.app.state.runtime.db
    await publish(sandbox, org("org-k", "АНО «Ка»", "1021800000011"))
    await wait_until(lambda: db["organizations"].count_documents({}), timeout=10)
    assert (await events.get("/api/v1/organizations")).status_code == 401
    listed = (await events.get("/api/v1/organizations", headers=STAFF)).json()
    assert listed["total"] == 1
    assert listed["items"][0] == {
        "organization_id": "org-k",
        "full_name": "АНО «Ка»",
        "short_name": None,
        "ogrn": "1021800000011",
        "status": "active",
    }
    by_ogrn = await events.get("/api/v1/organizations?ogrn=1021800000012", headers=STAFF)
    assert by_ogrn.json()["total"] == 0
    bad = await events.get("/api/v1/organizations?ogrn=12", headers=STAFF)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "ogrn"


async def test_a_late_older_organization_event_does_not_overwrite_a_newer_one(events, sandbox):
    from datetime import UTC, datetime, timedelta

    from nkohub_contracts import new_event
    from nkohub_contracts.registry import OrganizationUpdated

    db = events.app.state.runtime.db
    registered = new_event(org("org-late", "АНО «Старое имя»", "1021800000013"))
    renamed = new_event(
        OrganizationUpdated(
            organization=org("org-late", "АНО «Новое имя»", "1021800000013").organization,
            changed=["full_name"],
        )
    )
    older = registered.model_copy(update={"time": datetime.now(UTC) - timedelta(minutes=5)})
    await publish_events(sandbox.amqp_url, renamed)
    await wait_until(lambda: db["organizations"].find_one({"full_name": "АНО «Новое имя»"}))
    await wait_until(lambda: consumed(events, "events.registry", 1))
    await publish_events(sandbox.amqp_url, older)  # arrives late, was written earlier
    # handled (it keeps no processed-events record: its one write is the idempotency)
    await wait_until(lambda: consumed(events, "events.registry", 2))
    doc = await db["organizations"].find_one({"_id": "org-late"})
    assert doc["full_name"] == "АНО «Новое имя»"
