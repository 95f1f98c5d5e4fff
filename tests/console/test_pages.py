"""The console's pages against the four real services (in this process, real MongoDB and
RabbitMQ): what a librarian does lands in the services, refusals show next to the field
with what was typed, and the pages show what the services hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from nkohub_console.domain.accounts import Role
from nkohub_shared.links import LinkSigner, Purpose
from tests.console.support import (
    browser,
    console_settings,
    console_with_services,
    csrf_of,
    make_account,
    post_form,
    running_console,
    service_client,
    sign_in,
)
from tests.registry.conftest import org_payload
from tests.support.broker import wait_until
from tests.support.isolation import LINK_SECRET

LOCAL = "%Y-%m-%dT%H:%M"
SAMARA = timedelta(hours=4)


def local(moment: datetime) -> str:
    return (moment.astimezone(UTC) + SAMARA).strftime(LOCAL)


def meetup_form(starts: datetime, **overrides: str) -> dict[str, str]:
    form = {
        "title": "Открытое общение: гранты",
        "kind": "meetup",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=2)),
        "venue_name": "ПНБ им. В.Г. Короленко",
        "venue_address": "Глазов, ул. Кирова, 15",
        "hall_capacity": "65",
        "capacity": "60",
        "reserved_seats": "5",
        "waitlist_enabled": "on",
        "topics": "гранты, отчётность",
        "program-0-kind": "talk",
        "program-0-title": "Гранты 2030 года",
        "program-0-starts_at": local(starts + timedelta(minutes=10)),
        "program-0-speaker_name": "Глава города",
    }
    return form | overrides


@pytest.fixture
async def console(sandbox):
    async with console_with_services(sandbox) as app:
        await make_account(app, "Ольга Библиотекарь", "olga@library.ru")
        await make_account(app, "Анна Админова", "admin@library.ru", Role.ADMIN)
        yield app


async def create_meetup(client, starts: datetime, **overrides: str) -> str:
    answer = await post_form(
        client, "/console/meetups/new", "/console/meetups/new", meetup_form(starts, **overrides)
    )
    assert answer.status_code == 303, answer.text[:2000]
    return answer.headers["location"].split("/")[3].split("?")[0]


async def register(console, meetup_id: str, n: int) -> list[dict]:
    async with service_client(console, "events") as events:
        for i in range(n):
            person = {
                "name": f"Участник {i} Иванов",
                "email": f"person{i}@ngo.ru",
                "role": "ngo_representative",
                "organization_name": f"АНО «Участие {i}»",
                "consent_personal_data": True,
            }
            answer = await events.post(f"/api/v1/meetups/{meetup_id}/registrations", json=person)
            assert answer.status_code == 201, answer.text
    ctx = console.state.runtime.context
    olga = await ctx.accounts.accounts.by_email_key("olga@library.ru")
    return await ctx.services_for(olga).events.registrations(meetup_id)


async def test_a_meetup_form_keeps_what_was_typed_and_shows_refusals_by_field(console):
    starts = datetime.now(UTC) + timedelta(days=10)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        missing = await post_form(
            client, "/console/meetups/new", "/console/meetups/new", meetup_form(starts, capacity="")
        )
        assert missing.status_code == 422
        assert 'id="e-capacity"' in missing.text
        assert 'value="Открытое общение: гранты"' in missing.text
        assert 'value="Глава города"' in missing.text  # the program row too
        backwards = await post_form(
            client,
            "/console/meetups/new",
            "/console/meetups/new",
            meetup_form(starts, ends_at=local(starts - timedelta(hours=1))),
        )
        assert backwards.status_code == 422
        assert 'id="e-ends_at"' in backwards.text
        assert "встреча должна закончиться после начала" in backwards.text
        too_many = await post_form(
            client,
            "/console/meetups/new",
            "/console/meetups/new",
            meetup_form(starts, capacity="70"),
        )
        assert too_many.status_code == 422 and 'id="e-capacity"' in too_many.text
        assert 'value="70"' in too_many.text


async def test_a_librarian_creates_edits_and_publishes_a_meetup(console):
    starts = datetime.now(UTC) + timedelta(days=10)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts)
        page = await client.get(f"/console/meetups/{meetup_id}")
        assert "черновик" in page.text and "Гранты 2030 года" in page.text
        assert "Ольга Библиотекарь" in page.text  # who did what, by the account's name
        edit = await client.get(f"/console/meetups/{meetup_id}/edit")
        assert 'value="Глава города"' in edit.text
        saved = await post_form(
            client,
            f"/console/meetups/{meetup_id}/edit",
            f"/console/meetups/{meetup_id}/edit",
            meetup_form(
                starts,
                title="Открытое общение: отчётность",
                **{"program-1-kind": "qa_session", "program-1-title": "Вопросы главе"},
            ),
        )
        assert saved.status_code == 303
        published = await post_form(
            client, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/publish", {}
        )
        assert published.status_code == 303
    ctx = console.state.runtime.context
    olga = await ctx.accounts.accounts.by_email_key("olga@library.ru")
    stored = await ctx.services_for(olga).events.meetup(meetup_id)
    assert stored["status"] == "scheduled"
    assert stored["title"] == "Открытое общение: отчётность"
    assert [p["title"] for p in stored["program"]] == ["Гранты 2030 года", "Вопросы главе"]
    assert stored["capacity"] == 60 and stored["reserved_seats"] == 5
    assert stored["topics"] == ["гранты", "отчётность"]
    local_start = datetime.fromisoformat(stored["starts_at"]).astimezone(UTC) + SAMARA
    assert local_start.strftime(LOCAL) == local(starts)


async def test_at_the_door_by_code_by_name_and_a_walk_in(console):
    starts = datetime.now(UTC) + timedelta(days=2)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts)
        await post_form(
            client, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/publish", {}
        )
        people = await register(console, meetup_id, 3)
        door = await client.get(f"/console/door/{meetup_id}")
        assert re.search(r'id="expected-count">3<', door.text)
        code = people[0]["short_code"]
        typed = f" {code[:3].lower()} {code[3:].lower()} "  # as read out, in small letters
        checked = await post_form(
            client,
            f"/console/door/{meetup_id}",
            f"/console/door/{meetup_id}/code",
            {"short_code": typed},
        )
        assert checked.status_code == 200
        assert people[0]["name"] in checked.text and "отмечен(а)" in checked.text
        wrong = await post_form(
            client,
            f"/console/door/{meetup_id}",
            f"/console/door/{meetup_id}/code",
            {"short_code": "ZZZZZZ"},
        )
        assert wrong.status_code == 422 and 'id="e-short_code"' in wrong.text
        found = await client.get(f"/console/door/{meetup_id}", params={"q": "участник 1"})
        assert people[1]["name"] in found.text
        by_name = await post_form(
            client,
            f"/console/door/{meetup_id}",
            f"/console/meetups/{meetup_id}/registrations/{people[1]['registration_id']}/check-in",
            {"back": f"/door/{meetup_id}"},
        )
        assert by_name.status_code == 303 and by_name.headers["location"].startswith(
            "/console/door/"
        )
        no_consent = await post_form(
            client,
            f"/console/door/{meetup_id}",
            f"/console/door/{meetup_id}/walk-in",
            {"name": "Гость Петров", "role": "activist", "organization": "Активисты Глазова"},
        )
        assert no_consent.status_code == 422
        assert 'id="e-consent"' in no_consent.text and 'value="Гость Петров"' in no_consent.text
        walk_in = await post_form(
            client,
            f"/console/door/{meetup_id}",
            f"/console/door/{meetup_id}/walk-in",
            {"name": "Гость Петров", "role": "activist", "consent": "on"},
        )
        assert walk_in.status_code == 303, walk_in.text[:1000]
        after = await client.get(f"/console/door/{meetup_id}")
        assert re.search(r'id="expected-count">1<', after.text)
        assert people[2]["name"] in after.text.split('id="expected"')[1]


async def test_questions_are_moderated_in_the_console(console):
    starts = datetime.now(UTC) + timedelta(days=3)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts)
        await post_form(
            client, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/publish", {}
        )
        person = (await register(console, meetup_id, 1))[0]
        token = LinkSigner(LINK_SECRET).token(Purpose.REGISTRATION, person["registration_id"])
        async with service_client(console, "events") as events:
            asked = await events.post(
                f"/api/v1/meetups/{meetup_id}/questions",
                json={
                    "registration_id": person["registration_id"],
                    "token": token,
                    "text": "Когда откроется ресурсный центр НКО??",
                },
            )
            assert asked.status_code == 201, asked.text
            question_id = asked.json()["question_id"]
        page = await client.get(f"/console/meetups/{meetup_id}/questions")
        assert (
            "Когда откроется ресурсный центр НКО??" in page.text and "ждёт модерации" in page.text
        )
        approved = await post_form(
            client,
            f"/console/meetups/{meetup_id}/questions",
            f"/console/meetups/{meetup_id}/questions/{question_id}/approve",
            {"text": "Когда откроется ресурсный центр НКО?"},
        )
        assert approved.status_code == 303
        async with service_client(console, "events") as events:
            public = (await events.get(f"/api/v1/meetups/{meetup_id}/questions")).json()
        assert [q["text"] for q in public] == ["Когда откроется ресурсный центр НКО?"]


async def test_a_meetup_recorded_after_it_took_place_appears_in_the_report(console):
    starts = datetime.now(UTC) - timedelta(days=1)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts, title="Новогодний")
        for name in ("Анна Сидорова", "Борис Котов"):
            added = await post_form(
                client,
                f"/console/door/{meetup_id}",
                f"/console/door/{meetup_id}/walk-in",
                {"name": name, "role": "official", "consent": "on"},
            )
            assert added.status_code == 303, added.text[-3000:]
        done = await post_form(
            client, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/complete", {}
        )
        assert done.status_code == 303
        year = (starts + SAMARA).year
        report = await client.get(
            "/console/report", params={"from": f"{year}-01-01", "to": f"{year}-12-31"}
        )
        assert report.status_code == 200
        row = re.search(
            r'data-key="meetups_held"><td>[^<]+</td><td class="num" data-value>(\d+)<', report.text
        )
        assert row and row.group(1) == "1"
        people = re.search(
            r'data-key="participants"><td>[^<]+</td><td class="num" data-value>(\d+)<', report.text
        )
        assert people and people.group(1) == "2"
        assert report.text.count("<svg") == 4
        assert 'data-label="' in report.text and 'data-value="2"' in report.text
        csv = await client.get(
            "/console/report.csv", params={"from": f"{year}-01-01", "to": f"{year}-12-31"}
        )
        assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
        assert "Проведено митапов" in csv.content.decode("utf-8-sig")


async def test_the_auto_drafted_announcement_is_reviewed_and_published(console):
    starts = datetime.now(UTC) + timedelta(days=5)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts)
        await post_form(
            client, f"/console/meetups/{meetup_id}", f"/console/meetups/{meetup_id}/publish", {}
        )
        post_id = f"meetup-{meetup_id}-announcement"

        async def drafted():
            page = await client.get("/console/blog")
            return post_id in page.text

        await wait_until(drafted, timeout=30)
        editor = await client.get(f"/console/blog/{post_id}")
        assert "Черновик составлен платформой" in editor.text
        assert 'class="preview"' in editor.text and "<p>" in editor.text.split('id="preview"')[1]
        form = {
            "title": re.search(
                r'id="f-title" name="title" type="text" value="([^"]*)"', editor.text
            ).group(1),
            "category": "meetup-announcements",
            "body": "**Приходите!** Встреча о грантах.",
            "action": "publish",
        }
        published = await post_form(
            client, f"/console/blog/{post_id}", f"/console/blog/{post_id}", form
        )
        assert published.status_code == 303, published.text[:1000]
        page = await client.get(f"/console/blog/{post_id}")
        assert "опубликована" in page.text
        preview = await client.post(
            "/console/blog/preview",
            data={"body": "<script>alert(1)</script> *да*"},
            headers={"X-CSRF-Token": csrf_of(page.text)},
        )
        assert preview.status_code == 200
        assert "<script>" not in preview.text and "<em>да</em>" in preview.text
        no_token = await client.post("/console/blog/preview", data={"body": "x"})
        assert no_token.status_code == 403


async def test_today_shows_what_waits_and_a_proposal_is_approved(console):
    async with service_client(console, "registry") as registry:
        answer = await registry.post(
            "/api/v1/organizations", json=org_payload(full_name="АНО «Новая волна»")
        )
        assert answer.status_code == 202, answer.text
    starts = datetime.now(UTC) + timedelta(days=4)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        meetup_id = await create_meetup(client, starts, title="Митап о грантах")
        today = await client.get("/console/")
        assert today.status_code == 200
        assert "Митап о грантах" in today.text and "АНО «Новая волна»" in today.text
        proposal_id = re.search(
            r'href="/console/organizations/proposals/([0-9a-f]+)"', today.text
        ).group(1)
        approved = await post_form(
            client,
            f"/console/organizations/proposals/{proposal_id}",
            f"/console/organizations/proposals/{proposal_id}/approve",
            {},
        )
        assert approved.status_code == 303
        org_id = approved.headers["location"].split("/")[3].split("?")[0]
        page = await client.get(f"/console/organizations/{org_id}")
        assert "АНО «Новая волна»" in page.text
        listing = await client.get("/console/organizations", params={"q": "новая"})
        assert f"/console/organizations/{org_id}" in listing.text
        assert meetup_id


async def test_a_service_away_is_named_on_the_page(sandbox):
    async with running_console(console_settings(sandbox)) as app:
        await make_account(app, "Ольга", "olga@library.ru")
        async with browser(app) as client:
            await sign_in(client, "olga@library.ru")
            page = await client.get("/console/meetups")
            assert page.status_code == 503
            assert "Сервис «встречи» сейчас не отвечает" in page.text
            today = await client.get("/console/")
            assert today.status_code == 200 and "Часть сведений не получена" in today.text
