"""Staff endpoints: delivery log and counts, recipients, template previews."""

from __future__ import annotations

from nkohub_contracts.events import RegistrationConfirmed, RegistrationWaitlisted
from nkohub_notifications.domain.rendering import SPECS
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

from .conftest import meetup, participant, reg_id


async def test_delivery_log_filters_and_counts(service, smtp):
    m1, m2 = meetup(), meetup()
    alice, bob = participant(email="alice@example.org"), participant(email="bob@example.org")
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m1, participant=alice)
    )
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m2, participant=bob)
    )
    smtp.reply = "550 5.1.1 unknown"
    await wait_until(lambda: smtp.refusals >= 1 or len(smtp.messages) >= 2)
    smtp.reply = None
    await service.publish(
        RegistrationWaitlisted(registration_id=reg_id(), meetup=m1, participant=bob, position=1)
    )

    async def settled() -> bool:
        r = await service.client.get("/api/v1/staff/messages/counts", headers=staff_headers())
        c = r.json()["counts"]
        return r.json()["total"] == 3 and c["queued"] == 0 and c["sending"] == 0

    await wait_until(settled)
    counts = (
        await service.client.get("/api/v1/staff/messages/counts", headers=staff_headers())
    ).json()
    assert counts["counts"]["sent"] + counts["counts"]["failed"] == 3

    headers = staff_headers()
    by_meetup = await service.client.get(
        "/api/v1/staff/messages", params={"meetup_id": m1.meetup_id}, headers=headers
    )
    assert by_meetup.json()["total"] == 2
    assert {i["meetup_id"] for i in by_meetup.json()["items"]} == {m1.meetup_id}
    by_recipient = await service.client.get(
        "/api/v1/staff/messages", params={"recipient": "BOB@example.org"}, headers=headers
    )
    assert by_recipient.json()["total"] == 2
    by_template = await service.client.get(
        "/api/v1/staff/messages",
        params={"template": "registration_waitlisted", "status": "sent"},
        headers=headers,
    )
    [item] = by_template.json()["items"]
    assert item["to"] == "bob@example.org" and "html" not in item
    detail = await service.client.get(f"/api/v1/staff/messages/{item['id']}", headers=headers)
    assert "номер в очереди" in detail.json()["text"]
    bad = await service.client.get(
        "/api/v1/staff/messages", params={"status": "x"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "status"
    assert (await service.client.get("/api/v1/staff/messages")).status_code == 401


async def test_recipients_management(service):
    headers = staff_headers()
    created = await service.client.post(
        "/api/v1/staff/recipients",
        json={
            "name": "Светлана",
            "email": "Sveta@Example.org",
            "telegram_chat_id": "123456",
            "topics": {"grants": {"email": True, "telegram": True}},
            "mailing_consent": True,
        },
        headers=headers,
    )
    assert created.status_code == 201
    rid = created.json()["id"]
    assert created.json()["email"] == "sveta@example.org"
    twin = await service.client.post(
        "/api/v1/staff/recipients",
        json={"name": "Дубль", "email": "sveta@example.org", "mailing_consent": True},
        headers=headers,
    )
    assert twin.status_code == 409 and twin.json()["error"]["field"] == "email"
    invalid = await service.client.post(
        "/api/v1/staff/recipients",
        json={
            "name": "X",
            "email": "x@example.org",
            "topics": {"cats": {}},
            "mailing_consent": True,
        },
        headers=headers,
    )
    assert invalid.status_code == 422 and invalid.json()["error"]["field"].startswith("topics")

    patched = await service.client.patch(
        f"/api/v1/staff/recipients/{rid}",
        json={"topics": {"blog": {"email": True}}, "blog_categories": ["гранты"]},
        headers=headers,
    )
    assert patched.status_code == 200
    assert patched.json()["topics"] == {
        "blog": {"email": True, "webhook": False, "telegram": False}
    }
    listed = await service.client.get(
        "/api/v1/staff/recipients", params={"topic": "blog"}, headers=headers
    )
    assert [r["id"] for r in listed.json()["items"]] == [rid]
    url = f"/api/v1/staff/recipients/{rid}"
    assert (await service.client.delete(url, headers=headers)).status_code == 403, "admin's"
    deleted = await service.client.delete(url, headers=staff_headers(role="admin"))
    assert deleted.status_code == 204
    gone = await service.client.get(f"/api/v1/staff/recipients/{rid}", headers=headers)
    assert gone.status_code == 404


async def test_every_template_previews_with_sample_data(service):
    headers = staff_headers()
    listed = await service.client.get("/api/v1/staff/templates", headers=headers)
    assert {t["name"] for t in listed.json()} == set(SPECS)
    for name in SPECS:
        preview = await service.client.get(
            f"/api/v1/staff/templates/{name}/preview", headers=headers
        )
        assert preview.status_code == 200, name
        body = preview.json()
        assert body["subject"] and "Здравствуйте" in body["text"] and "<html" in body["html"]
    html = await service.client.get(
        "/api/v1/staff/templates/meetup_announcement/preview",
        params={"format": "html"},
        headers=headers,
    )
    assert html.headers["content-type"].startswith("text/html") and "Отписаться" in html.text
    missing = await service.client.get("/api/v1/staff/templates/nope/preview", headers=headers)
    assert missing.status_code == 404


async def test_html_part_escapes_what_people_typed(service, smtp):
    from tests.support.notifications_smtp import parts

    person = participant(name='<script>alert("x")</script> Мария')
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
    )
    [mail] = await smtp.wait_count(1)
    html = parts(mail)["text/html"].get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in parts(mail)["text/plain"].get_content()
