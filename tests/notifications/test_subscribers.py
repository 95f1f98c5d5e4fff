"""Marketing-like mail: followers only, with consent, List-Unsubscribe and one-click
unsubscribe; double opt-in; the daily digest; grant deadlines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from nkohub_contracts.events import MeetupScheduled
from nkohub_contracts.publishing import GrantDeadlineApproaching, PostPublished
from nkohub_notifications.domain import Status
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import address, parts

from .conftest import handled, meetup


async def add_recipient(service, email: str, topics: dict, consent: bool = True, **extra) -> dict:
    response = await service.client.post(
        "/api/v1/staff/recipients",
        json={"name": "Подписчик", "email": email, "topics": topics, "mailing_consent": consent}
        | extra,
        headers=staff_headers(),
    )
    assert response.status_code == 201, response.text
    return response.json()


def unsubscribe_link(mail) -> str:
    """The one link of ``List-Unsubscribe`` (HTTPS; no mailto: is advertised)."""
    header = str(mail["List-Unsubscribe"])
    [https] = re.findall(r"<([^>]+)>", header)
    return https


async def test_announcement_reaches_followers_and_one_click_unsubscribe_works(service, smtp):
    follower = await add_recipient(service, "follower@example.org", {"meetups": {"email": True}})
    other = await add_recipient(service, "other@example.org", {"meetups": {"email": True}})
    await add_recipient(service, "grants-only@example.org", {"grants": {"email": True}})
    await add_recipient(
        service, "no-consent@example.org", {"meetups": {"email": True}}, consent=False
    )
    m = meetup()
    await service.publish(MeetupScheduled(meetup=m))
    await smtp.wait_count(2)
    await wait_until(lambda: _none_queued(service))
    assert sorted(address(x) for x in smtp.messages) == [
        "follower@example.org",
        "other@example.org",
    ]
    mail = smtp.to("follower@example.org")[0]
    assert str(mail["Subject"]) == f"Новая встреча: {m.title}"
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    https = unsubscribe_link(mail)
    assert https.startswith(
        f"https://notify.example.org/unsubscribe/{follower['id']}?topic=meetups&token="
    )
    assert "mailto:" not in str(mail["List-Unsubscribe"])
    assert https in parts(mail)["text/plain"].get_content()

    path = urlsplit(https)
    url = f"{path.path}?{path.query}"
    page = await service.client.get(url)
    assert page.status_code == 200 and "<form" in page.text and "Отписаться" in page.text
    still = await service.client.get(
        f"/api/v1/staff/recipients/{follower['id']}", headers=staff_headers()
    )
    assert still.json()["status"] == "confirmed", "GET changes nothing"

    # the token is not valid for another person
    forged = await service.client.post(f"/unsubscribe/{other['id']}?{path.query}")
    assert forged.status_code == 404
    # RFC 8058 one-click POST: the topic of the mail, the others stay
    done = await service.client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Вы отписаны от темы" in done.text
    after = await service.client.get(
        f"/api/v1/staff/recipients/{follower['id']}", headers=staff_headers()
    )
    assert after.json()["status"] == "confirmed"
    assert after.json()["topics"]["meetups"]["email"] is False
    assert after.json()["consent_log"][-1]["action"] == "unsubscribed_topic"

    smtp.messages.clear()
    await service.publish(MeetupScheduled(meetup=meetup()))
    await smtp.wait_count(1)
    await wait_until(lambda: _none_queued(service))
    assert [address(x) for x in smtp.messages] == ["other@example.org"]


async def test_public_subscription_needs_confirmation(service, smtp):
    response = await service.client.post(
        "/api/v1/subscriptions",
        json={"name": "Ольга", "email": "Olga@Example.org", "topics": ["meetups"], "consent": True},
    )
    assert response.status_code == 202 and "@" not in response.text
    bad = await service.client.post(
        "/api/v1/subscriptions",
        json={"name": "Ольга", "email": "nope", "topics": ["meetups"], "consent": True},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"
    no_consent = await service.client.post(
        "/api/v1/subscriptions",
        json={"name": "Ольга", "email": "o@example.org", "topics": ["meetups"], "consent": False},
    )
    assert no_consent.status_code == 422 and no_consent.json()["error"]["field"] == "consent"

    [confirm_mail] = await smtp.wait_count(1)
    assert "Подтвердите подписку" in str(confirm_mail["Subject"])
    assert "List-Unsubscribe" not in confirm_mail
    link = re.search(
        r"https://notify\.example\.org(\S+)", parts(confirm_mail)["text/plain"].get_content()
    )
    url = link.group(1)

    # not confirmed yet: no announcement
    announcement = await service.publish(MeetupScheduled(meetup=meetup()))
    await wait_until(lambda: handled(service, announcement))
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 1

    page = await service.client.get(url)
    assert page.status_code == 200 and "<form" in page.text
    confirmed = await service.client.post(url)
    assert confirmed.status_code == 200 and "Подписка подтверждена" in confirmed.text
    tampered = await service.client.post(url[:-3] + "abc")
    assert tampered.status_code == 404

    await service.publish(MeetupScheduled(meetup=meetup()))
    await smtp.wait_count(2)
    assert "Новая встреча" in str(smtp.messages[1]["Subject"])
    assert "olga@example.org" in str(smtp.messages[1]["To"])


async def test_daily_digest_is_one_mail_per_follower(service, smtp):
    await add_recipient(service, "reader@example.org", {"blog": {"email": True}})
    await add_recipient(
        service, "grants-reader@example.org", {"blog": {"email": True}}, blog_categories=["гранты"]
    )
    cutoff = datetime.now(UTC).replace(microsecond=0)
    titles = []
    for i, category in enumerate(["гранты", "новости", "гранты"]):
        title = f"Запись номер {i}"
        titles.append(title)
        await service.publish(
            PostPublished(
                post_id=f"p{i}",
                slug=f"p{i}",
                title=title,
                category=category,
                url=f"https://blog.example.org/p{i}",
                published_at=cutoff - timedelta(hours=i + 1),
            )
        )
    await service.publish(  # older than the window: not in this digest
        PostPublished(
            post_id="old",
            slug="old",
            title="Старая запись",
            category="гранты",
            url="https://blog.example.org/old",
            published_at=cutoff - timedelta(days=3),
        )
    )
    await wait_until(lambda: _count(service.db.posts, 4))
    assert smtp.messages == [], "posts wait for the digest"

    run = await service.client.post(
        "/api/v1/staff/digests/run", json={"cutoff": cutoff.isoformat()}, headers=staff_headers()
    )
    assert run.status_code == 200 and run.json()["queued"] == 2
    again = await service.client.post(
        "/api/v1/staff/digests/run", json={"cutoff": cutoff.isoformat()}, headers=staff_headers()
    )
    assert again.json()["queued"] == 0
    await smtp.wait_count(2)
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 2
    everything = parts(smtp.to("reader@example.org")[0])["text/plain"].get_content()
    assert all(t in everything for t in titles) and "Старая запись" not in everything
    only_grants = parts(smtp.to("grants-reader@example.org")[0])["text/plain"].get_content()
    assert "Запись номер 0" in only_grants and "Запись номер 1" not in only_grants
    assert smtp.to("reader@example.org")[0]["List-Unsubscribe"] is not None


async def test_grant_deadline_to_grant_followers(service, smtp):
    await add_recipient(service, "grants@example.org", {"grants": {"email": True}})
    await add_recipient(service, "meetups@example.org", {"meetups": {"email": True}})
    await service.publish(
        GrantDeadlineApproaching(
            competition_id="c1",
            name="Президентские гранты",
            operator="ФПГ",
            closes_at=datetime.now(UTC) + timedelta(days=3),
            days_left=3,
            url="https://grants.example.org/c1",
            max_amount=500000,
        )
    )
    [mail] = await smtp.wait_count(1)
    await wait_until(lambda: _none_queued(service))
    assert len(smtp.messages) == 1
    assert str(mail["Subject"]) == "Осталось 3 дня: Президентские гранты"
    assert "500 000 ₽" in parts(mail)["text/plain"].get_content()
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"


async def _count(collection, n: int) -> bool:
    return await collection.count_documents({}) >= n


async def _none_queued(service) -> bool:
    busy = {"status": {"$in": [Status.QUEUED.value, Status.SENDING.value]}}
    return await service.db.messages.count_documents(busy) == 0
