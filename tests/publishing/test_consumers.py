"""Content generated from other services' events: the NGO directory and meetup posts."""

from __future__ import annotations

from datetime import UTC, datetime

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.events import (
    MeetupCancelled,
    MeetupCompleted,
    MeetupFigures,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_contracts.registry import (
    OrganizationDeactivated,
    OrganizationRegistered,
    OrganizationUpdated,
)
from tests.publishing.bus import publish
from tests.publishing.conftest import events_written, handled
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.snapshots import meetup_snapshot as meetup


def organization(org_id: str, name: str, areas: list[str], **extra) -> OrganizationPublic:
    return OrganizationPublic(
        organization_id=org_id,
        full_name=name,
        legal_form="АНО",
        ogrn="1021800000001",
        activity_areas=areas,
        public_email="info@example.org",
        public_phone="+7 900 000-00-00",
        **extra,
    )


async def test_ngo_directory_follows_the_registry(client, sandbox):
    chess = organization("org-1", "Шахматный клуб «Ладья»", ["sport", "children_family"])
    animals = organization("org-2", "Фонд помощи бездомным животным", ["animals"])
    gone = organization("org-3", "Закрытая АНО", ["sport"])
    tricky = organization("org-5", "АНО «Хитрая ссылка»", ["sport"], website="javascript:alert(1)")
    registered = await publish(
        sandbox.amqp_url,
        OrganizationRegistered(organization=chess, source="imported"),
        OrganizationRegistered(organization=animals, source="staff"),
        OrganizationRegistered(organization=gone, source="staff"),
        OrganizationRegistered(organization=tricky, source="self_registered"),
    )

    async def page() -> str:
        return (await client.get("/ngo")).text

    await wait_until(lambda: _contains(page(), "Закрытая АНО"))
    await publish(
        sandbox.amqp_url,
        OrganizationUpdated(
            organization=organization(
                "org-2",
                "Фонд «Верный друг»",
                ["animals"],
                website="https://drug.example",
            ),
            changed=["full_name", "website"],
        ),
        OrganizationDeactivated(organization_id="org-3", status="liquidated"),
    )
    await wait_until(lambda: _contains(page(), "Верный друг"))
    await wait_until(lambda: _lacks(page(), "Закрытая АНО"))
    html = await page()
    assert html.index("<h2>Защита животных</h2>") < html.index("<h2>Спорт</h2>"), "by label"
    assert html.count("Шахматный клуб «Ладья»") == 2, "listed under each of its areas"
    assert "https://drug.example" in html
    assert "Хитрая ссылка" in html and "javascript:" not in html, "only http(s) links"
    assert "info@example.org" not in html and "+7 900" not in html, "no contacts on the page"

    # the same event again (a redelivery) and an older event arriving late change nothing
    await publish(sandbox.amqp_url, registered[1])
    stale = registered[2].model_copy(update={"id": "late-copy"})
    await publish(sandbox.amqp_url, stale)
    await publish(
        sandbox.amqp_url,
        OrganizationRegistered(organization=organization("org-4", "Маяк", []), source="staff"),
    )
    await wait_until(lambda: _contains(page(), "Маяк"))
    html = await page()
    assert "Верный друг" in html and "Закрытая АНО" not in html
    assert "<h2>Другое</h2>" in html


async def _contains(text_coro, needle: str) -> bool:
    return needle in await text_coro


async def _lacks(text_coro, needle: str) -> bool:
    return needle not in await text_coro


async def _post(client, post_id: str) -> dict | None:
    response = await client.get(f"/api/v1/posts/{post_id}")
    return response.json() if response.status_code == 200 else None


async def test_meetup_announcement_follows_the_meetup(client, sandbox):
    await publish(sandbox.amqp_url, MeetupScheduled(meetup=meetup()))
    post_id = "meetup-m-28-announcement"
    post = await wait_until(lambda: _post(client, post_id))
    assert post["status"] == "draft", "drafted by default"
    assert post["category"] == "meetup-announcements"
    assert "28 марта 2030, 18:00" in post["html"]
    assert "ПНБ им. В.Г. Короленко, ул. Ленина, 1" in post["html"]
    assert "Изменения в уставе" in post["html"] and "Вопросы главе города" in post["html"]
    assert 'href="http://localhost:8002/meetups/m-28"' in post["html"]

    moved = meetup(starts_at=datetime(2030, 3, 29, 14, 0, tzinfo=UTC), sequence=1)
    await publish(sandbox.amqp_url, MeetupUpdated(meetup=moved, changed=["starts_at"]))
    await wait_until(lambda: _html_has(client, post_id, "29 марта 2030"))
    # an older update arriving late is ignored
    await publish(sandbox.amqp_url, MeetupUpdated(meetup=meetup(sequence=0), changed=["title"]))
    await publish(
        sandbox.amqp_url,
        MeetupCancelled(meetup=meetup(sequence=2), reason="болезнь спикера"),
    )
    post = await wait_until(lambda: _html_has(client, post_id, "отменена"))
    assert post["title"].startswith("Отменено:") and "болезнь спикера" in post["html"]
    assert post["status"] == "archived", "an unseen draft of a cancelled meetup is put away"


async def _html_has(client, post_id: str, text: str) -> dict | None:
    post = await _post(client, post_id)
    return post if post and text in post["html"] else None


async def test_announcement_published_at_once_when_configured(service, sandbox, spy):
    async with service() as client:
        client.headers.update(staff_headers())
        assert (await client.get("/api/v1/settings")).json() == {
            "publish_meetup_announcements": False
        }
        refused = await client.patch(
            "/api/v1/settings", json={"publish_meetup_announcements": True}
        )
        assert refused.status_code == 403, "the settings are the admin's"
        client.headers.update(staff_headers(role="admin"))
        changed = await client.patch(
            "/api/v1/settings", json={"publish_meetup_announcements": True}
        )
        assert changed.json()["publish_meetup_announcements"] is True
        bad = await client.patch("/api/v1/settings", json={"publish_meetup_announcements": "x"})
        assert bad.status_code == 422
        envelope = (await publish(sandbox.amqp_url, MeetupScheduled(meetup=meetup())))[0]
        post = await wait_until(lambda: _post(client, "meetup-m-28-announcement"))
        assert post["status"] == "published"
        public = await client.get(f"/posts/{post['slug']}")
        assert public.status_code == 200 and "Зарегистрироваться" in public.text
        await spy.wait_for(lambda _: spy.of_type("publishing.post.published"))
        await publish(sandbox.amqp_url, envelope)  # redelivered
        cancelled = MeetupCancelled(meetup=meetup(sequence=1))
        await publish(sandbox.amqp_url, cancelled)
        post = await wait_until(lambda: _html_has(client, post["id"], "отменена"))
        assert post["status"] == "published", "readers of a published announcement are told"
        assert len(await events_written(spy, sandbox, "publishing.post.published")) == 1


async def test_completed_meetup_gets_a_report_draft(client, sandbox):
    figures = MeetupFigures(
        participants=41,
        attendances=43,
        organizations=12,
        consultations=4,
        registrations_confirmed=50,
        no_shows=9,
    )
    event = MeetupCompleted(meetup=meetup(), figures=figures)
    envelopes = await publish(sandbox.amqp_url, event)
    post = await wait_until(lambda: _post(client, "meetup-m-28-report"))
    assert post["status"] == "draft" and post["category"] == "meetup-reports"
    for text in ("участников: 41", "НКО: 12", "консультаций: 4"):
        assert text in post["html"]
    edited = await client.patch(f"/api/v1/posts/{post['id']}", json={"body": "Мой рассказ"})
    assert edited.status_code == 200
    copy = envelopes[0].model_copy(update={"id": "another-id"})
    await publish(sandbox.amqp_url, copy)
    await wait_until(lambda: handled(sandbox, "publishing.meetup-posts", copy.id))
    again = await _post(client, post["id"])
    assert again["body"] == "Мой рассказ", "staff text is never overwritten"
