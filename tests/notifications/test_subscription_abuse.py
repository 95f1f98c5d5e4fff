"""The public door, read as an attacker would: subscription requests are limited per
client and per address, a pending address gets one confirmation mail per period and no
attacker-chosen greeting, confirmation links expire and cannot undo an unsubscribe, any
token is a 4xx page; a registration's mailing consent goes through double opt-in."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from nkohub_contracts.events import MeetupScheduled, RegistrationConfirmed
from nkohub_notifications.domain.clock import now
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import address, parts

from .conftest import handled, meetup, none_queued, participant, reg_id, start_service


def _form(email: str, name: str = "Ольга") -> dict:
    return {"name": name, "email": email, "topics": ["meetups"], "consent": True}


def _from(client: str) -> dict[str, str]:
    return {"X-Forwarded-For": client}


def _link(mail) -> str:
    """The path and query of the confirmation link in a mail."""
    text = parts(mail)["text/plain"].get_content()
    found = re.search(r"https://notify\.example\.org(/subscriptions/\S+)", text)
    assert found, text
    return found.group(1)


async def _subscriber(service, email: str) -> dict:
    return await service.db.subscribers.find_one({"email": email})


async def test_subscribing_is_limited_per_client_and_per_address(sandbox, smtp):
    limits = {
        "subscribe_per_client_per_hour": 3,
        "subscribe_per_address_per_day": 2,
        "trusted_proxies": ["127.0.0.1"],  # the test client plays the reverse proxy
    }
    async with start_service(sandbox, smtp, **limits) as service:
        post = service.client.post
        for i in range(3):
            ok = await post(
                "/api/v1/subscriptions",
                json=_form(f"a{i}@example.org"),
                headers=_from("203.0.113.1"),
            )
            assert ok.status_code == 202
        refused = await post(
            "/api/v1/subscriptions", json=_form("a9@example.org"), headers=_from("203.0.113.1")
        )
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
        assert "Попробуйте позже" in refused.json()["error"]["message"]

        # one address asked for from ever new clients: the address's own limit
        for client in ("203.0.113.2", "203.0.113.3"):
            ok = await post(
                "/api/v1/subscriptions", json=_form("victim@example.org"), headers=_from(client)
            )
            assert ok.status_code == 202
        refused = await post(
            "/api/v1/subscriptions",
            json=_form("Victim@Example.org"),
            headers=_from("203.0.113.4"),
        )
        assert refused.status_code == 429 and refused.json()["error"]["field"] == "email"
        assert int(refused.headers["Retry-After"]) >= 1

        await smtp.wait_count(4)
        await wait_until(lambda: none_queued(service))
        # two accepted requests for the victim, one confirmation mail
        assert len(smtp.to("victim@example.org")) == 1
        assert sorted(address(m) for m in smtp.messages) == [
            "a0@example.org",
            "a1@example.org",
            "a2@example.org",
            "victim@example.org",
        ]


async def test_the_confirmation_mail_greets_nobody_and_names_cannot_carry_links(service, smtp):
    ok = await service.client.post(
        "/api/v1/subscriptions", json=_form("olga@example.org", name="Ольга Смирнова")
    )
    assert ok.status_code == 202
    for name in ("Перейдите на http://evil.example", "<a href=x>Ольга</a>", "Я" * 101):
        refused = await service.client.post(
            "/api/v1/subscriptions", json=_form("olga2@example.org", name=name)
        )
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "name", name
    [mail] = await smtp.wait_count(1)
    text = parts(mail)["text/plain"].get_content()
    html = parts(mail)["text/html"].get_content()
    assert text.startswith("Здравствуйте!\n")
    assert "Смирнова" not in text + html and "Смирнова" not in str(mail["To"])
    assert "Ссылка действует 7 дней." in text


async def test_an_old_confirmation_link_cannot_undo_an_unsubscribe(service, smtp):
    await service.client.post("/api/v1/subscriptions", json=_form("olga@example.org"))
    [mail] = await smtp.wait_count(1)
    link = _link(mail)
    assert (await service.client.post(link)).status_code == 200
    subscriber = await _subscriber(service, "olga@example.org")
    assert subscriber["status"] == "confirmed"

    unsubscribe = urlsplit(service.ctx.notifier.links.unsubscribe(subscriber["_id"]))
    done = await service.client.post(f"{unsubscribe.path}?{unsubscribe.query}")
    assert done.status_code == 200 and "Вы отписаны" in done.text

    page = await service.client.get(link)
    assert page.status_code == 410 and "Ссылка больше не действует" in page.text
    again = await service.client.post(link)
    assert again.status_code == 410
    assert (await _subscriber(service, "olga@example.org"))["status"] == "unsubscribed"

    # and no announcement reaches them
    announced = await service.publish(MeetupScheduled(meetup=meetup()))
    await wait_until(lambda: handled(service, announced))
    await wait_until(lambda: none_queued(service))
    assert len(smtp.messages) == 1


async def test_an_expired_link_says_so_and_offers_a_new_one(sandbox, smtp):
    async with start_service(sandbox, smtp, confirm_resend_hours=0) as service:
        await service.client.post("/api/v1/subscriptions", json=_form("late@example.org"))
        [first] = await smtp.wait_count(1)
        assert "expires=" in _link(first)
        subscriber = await _subscriber(service, "late@example.org")
        # what the link of a mail older than confirm_link_days looks like
        old = urlsplit(
            service.ctx.notifier.links.confirm_subscription(
                subscriber["_id"], now() - timedelta(seconds=1)
            )
        )
        expired = f"{old.path}?{old.query}"
        page = await service.client.get(expired)
        assert page.status_code == 410
        assert "Срок действия ссылки истёк" in page.text and "Прислать новую ссылку" in page.text
        assert (await service.client.post(expired)).status_code == 410
        assert (await _subscriber(service, "late@example.org"))["status"] == "pending"
        # the expiry is signed: moving it forward makes the link invalid
        moved = expired.replace("expires=", "expires=9")
        assert (await service.client.post(moved)).status_code == 404

        renewed = await service.client.post(f"{old.path}/renew?{old.query}")
        assert renewed.status_code == 200 and "Проверьте почту" in renewed.text
        [_, second] = await smtp.wait_count(2)
        assert (await service.client.post(_link(second))).status_code == 200
        assert (await _subscriber(service, "late@example.org"))["status"] == "confirmed"


@pytest.mark.parametrize(
    "query",
    [
        "token=%D1%91%D1%91",  # non-ASCII
        "token=%FF%FE",  # not UTF-8
        "token=%00",
        "token=" + "x" * 4000,
        "expires=abc&token=x",
        "expires=" + "9" * 400 + "&token=x",
        "expires=%D9%A1&token=x",
        "",
    ],
)
async def test_a_garbage_token_is_a_4xx_page_never_a_500(service, query):
    await service.client.post("/api/v1/subscriptions", json=_form("olga@example.org"))
    subscriber = await _subscriber(service, "olga@example.org")
    for sid in (subscriber["_id"], "nobody", "%D1%91"):
        for method, path in (
            ("GET", f"/subscriptions/{sid}/confirm"),
            ("POST", f"/subscriptions/{sid}/confirm"),
            ("POST", f"/subscriptions/{sid}/confirm/renew"),
            ("GET", f"/unsubscribe/{sid}"),
            ("POST", f"/unsubscribe/{sid}"),
        ):
            response = await service.client.request(method, f"{path}?{query}")
            assert 400 <= response.status_code < 500, (method, path, query)
            assert response.headers["content-type"].startswith("text/html")
    assert (await _subscriber(service, "olga@example.org"))["status"] == "pending"


# --- a registration's mailing consent ------------------------------------------------


async def test_mailing_consent_on_a_registration_goes_through_double_opt_in(service, smtp):
    consenting = participant(email="yes@example.org", mailing_consent=True)
    declining = participant(email="no@example.org")
    m = meetup()
    confirmed = await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=consenting)
    )
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m, participant=declining)
    )
    await smtp.wait_count(3)
    await service.publish(confirmed, confirmed)  # redelivered: no second confirmation
    await wait_until(lambda: none_queued(service))
    asked = smtp.with_subject("Подтвердите подписку")
    assert [address(x) for x in asked] == ["yes@example.org"]
    subscriber = await _subscriber(service, "yes@example.org")
    assert subscriber["status"] == "pending" and subscriber["mailing_consent"] is False
    assert await _subscriber(service, "no@example.org") is None

    # not confirmed yet: no announcement
    announced = await service.publish(MeetupScheduled(meetup=meetup()))
    await wait_until(lambda: handled(service, announced))
    await wait_until(lambda: none_queued(service))
    assert smtp.with_subject("Новая встреча") == []

    assert (await service.client.post(_link(asked[0]))).status_code == 200
    await service.publish(MeetupScheduled(meetup=meetup()))
    await smtp.wait_for(lambda ms: any("Новая встреча" in str(x["Subject"]) for x in ms))
    [announcement] = smtp.with_subject("Новая встреча")
    assert address(announcement) == "yes@example.org"


async def test_a_confirmed_subscriber_registering_with_consent_is_not_asked_again(service, smtp):
    created = await service.client.post(
        "/api/v1/staff/recipients",
        json={
            "name": "Подписчица",
            "email": "known@example.org",
            "topics": {"meetups": {"email": True}},
            "mailing_consent": True,
        },
        headers=staff_headers(),
    )
    assert created.status_code == 201
    person = participant(email="known@example.org", mailing_consent=True)
    event = await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=person)
    )
    await wait_until(lambda: handled(service, event))
    await smtp.wait_count(1)
    await wait_until(lambda: none_queued(service))
    assert [str(x["Subject"]).split(":")[0] for x in smtp.messages] == ["Регистрация подтверждена"]
