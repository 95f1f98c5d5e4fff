"""Issue 7: a meetup that already took place, recorded by staff with its sign-in sheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import Workbook

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.registry import OrganizationRegistered
from tests.events.conftest import STAFF, meetup_body, publish
from tests.support.broker import wait_until

SHEET = (
    "Имя;Роль;Организация;Контакт\n"
    "Ирина Смирнова;представитель НКО;АНО «Шахматы»;irina@example.org\n"
    "Пётр Иванов;ОМС;Администрация г. Глазова;\n"
    "Ольга Кузнецова;нко;1021800000009;\n"
    ";активист;;\n"
    "Анна;волшебник;;\n"
)


async def test_past_meetup_with_sign_in_sheet_imported_twice_then_completed(events, sandbox, spy):
    db = events.app.state.runtime.db
    await publish(
        sandbox,
        OrganizationRegistered(
            organization=OrganizationPublic(
                organization_id="org-9",
                full_name="Фонд «Девять»",
                legal_form="фонд",
                ogrn="1021800000009",
            ),
            source="imported",
        ),
    )
    await wait_until(lambda: db["organizations"].count_documents({}), timeout=10)
    start = datetime(2019, 3, 28, 11, 0, tzinfo=UTC)
    created = await events.post(
        "/api/v1/meetups",
        json=meetup_body(
            title="Первый митап",
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=2)).isoformat(),
        ),
        headers=STAFF,
    )
    meetup = created.json()
    assert meetup["recorded_after_the_fact"] is True
    mid = meetup["meetup_id"]
    publish_past = await events.post(f"/api/v1/meetups/{mid}/publish", headers=STAFF)
    assert publish_past.status_code == 409, "nobody can register for the past"

    files = {"file": ("sheet.csv", SHEET.encode(), "text/csv")}
    first = await events.post(
        f"/api/v1/meetups/{mid}/attendance/import", files=files, headers=STAFF
    )
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["recorded"] == 3 and [e["field"] for e in result["errors"]] == ["name", "role"]
    book = Workbook()
    sheet = book.active
    for line in SHEET.splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    again = await events.post(
        f"/api/v1/meetups/{mid}/attendance/import",
        files={"file": ("sheet.xlsx", out.getvalue(), "application/octet-stream")},
        headers=STAFF,
    )
    assert again.json()["recorded"] == 0 and again.json()["already_recorded"] == 3
    bad = await events.post(
        f"/api/v1/meetups/{mid}/attendance/import",
        files={"file": ("x.csv", b"foo,bar\n1,2\n", "text/csv")},
        headers=STAFF,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "file"

    done = await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    await spy.wait_for(
        lambda ev: (
            spy.of_type("events.meetup.completed")
            and len(spy.of_type("events.attendance.recorded")) == 3
        )
    )
    completed = spy.of_type("events.meetup.completed")[0]["data"]
    assert completed["recorded_after_the_fact"] is True
    assert completed["figures"]["participants"] == 3
    assert completed["figures"]["organizations"] == 2  # Шахматы and Фонд «Девять»
    assert completed["organization_ids"] == ["org-9"]
    assert not spy.of_type("events.meetup.scheduled")
    attendances = spy.of_type("events.attendance.recorded")
    assert len(attendances) == 3 and all(a["data"]["recorded_after_the_fact"] for a in attendances)
    report = (
        await events.get("/api/v1/reports/practice?from=2019-01-01&to=2019-12-31", headers=STAFF)
    ).json()
    assert report["indicators"]["meetups_held"] == 1
    assert report["indicators"]["ngos_took_part"] == 2
