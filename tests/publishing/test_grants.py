"""Grants calendar, .ics feed of deadlines, reminders; foundations and documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar


def at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def test_competitions_crud_calendar_page_and_ics(client):
    soon = await client.post(
        "/api/v1/competitions",
        json={
            "name": "Президентские гранты: второй конкурс",
            "operator": "Фонд президентских грантов",
            "directions": ["социальное обслуживание", "культура"],
            "opens_at": at(-10),
            "closes_at": at(20),
            "results_at": at(60),
            "max_amount": 3_000_000,
            "url": "https://xn--80afcdbalict6afooklqi5o.xn--p1ai/",
            "eligibility": "НКО, зарегистрированные не менее года назад",
            "region": "вся Россия",
        },
    )
    assert soon.status_code == 201, soon.text
    later = await client.post(
        "/api/v1/competitions",
        json={"name": "Конкурс Удмуртии", "operator": "Правительство УР", "closes_at": at(70)},
    )
    past = await client.post(
        "/api/v1/competitions",
        json={"name": "Прошлогодний конкурс", "operator": "Фонд", "closes_at": at(-5)},
    )
    assert later.status_code == past.status_code == 201
    bad = await client.post(
        "/api/v1/competitions",
        json={"name": "x", "operator": "y", "opens_at": at(5), "closes_at": at(1)},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "opens_at"
    missing = await client.post("/api/v1/competitions", json={"name": "x", "operator": "y"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "closes_at"

    page = (await client.get("/grants")).text
    assert page.index("Президентские гранты: второй конкурс") < page.index("Конкурс Удмуртии")
    assert page.index("Конкурс Удмуртии") < page.index("Прошлогодний конкурс")
    assert "3\u00a0000\u00a0000\u00a0₽" in page and "Ближайшие дедлайны" in page
    home = (await client.get("/")).text
    assert "Президентские гранты: второй конкурс" in home and "Прошлогодний конкурс" not in home

    ics = await client.get("/grants.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert "Дедлайн: Президентские гранты: второй конкурс" in events
    deadline = events["Дедлайн: Президентские гранты: второй конкурс"]
    closes = datetime.fromisoformat(soon.json()["closes_at"]).replace(microsecond=0)
    assert deadline["dtend"].dt == closes

    comp_id = later.json()["id"]
    renamed = await client.patch(f"/api/v1/competitions/{comp_id}", json={"max_amount": 500000})
    assert renamed.json()["max_amount"] == 500000
    assert (await client.delete(f"/api/v1/competitions/{comp_id}")).status_code == 204
    assert (await client.get(f"/api/v1/competitions/{comp_id}")).status_code == 404


async def test_moved_deadline_is_announced_again(client, spy):
    created = await client.post(
        "/api/v1/competitions",
        json={"name": "Конкурс", "operator": "Фонд", "closes_at": at(2)},
    )
    await spy.wait_for(lambda _: spy.of_type("publishing.grant.deadline_approaching"))
    moved = await client.patch(
        f"/api/v1/competitions/{created.json()['id']}", json={"closes_at": at(10)}
    )
    assert moved.status_code == 200
    await spy.wait_for(lambda _: len(spy.of_type("publishing.grant.deadline_approaching")) == 2)
    marks = [
        e["data"]["reminder_days"] for e in spy.of_type("publishing.grant.deadline_approaching")
    ]
    assert marks == [3, 14]


async def test_foundations_and_documents(client):
    foundation = await client.post(
        "/api/v1/foundations",
        json={
            "name": "Фонд Тимченко",
            "url": "https://timchenkofoundation.org",
            "description": "Поддержка старшего поколения и семей с детьми",
            "directions": ["старшее поколение"],
        },
    )
    assert foundation.status_code == 201
    document = await client.post(
        "/api/v1/documents",
        json={
            "title": "Федеральный закон № 7-ФЗ «О некоммерческих организациях»",
            "url": "http://pravo.gov.ru/proxy/ips/?docbody=&nd=102039075",
            "issuer": "Государственная Дума",
            "issued_on": "1996-01-12",
        },
    )
    assert document.status_code == 201
    bad = await client.post("/api/v1/documents", json={"title": "x", "url": "javascript:alert(1)"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "url"
    assert "Фонд Тимченко" in (await client.get("/foundations")).text
    assert "О некоммерческих организациях" in (await client.get("/documents")).text
    doc_id = document.json()["id"]
    assert (await client.patch(f"/api/v1/documents/{doc_id}", json={"title": "Новый"})).json()[
        "title"
    ] == "Новый"
    assert (
        await client.delete(f"/api/v1/foundations/{foundation.json()['id']}")
    ).status_code == 204
    assert "Фонд Тимченко" not in (await client.get("/foundations")).text
