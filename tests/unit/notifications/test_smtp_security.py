"""SMTP transport security by default: STARTTLS unless the relay is on this machine."""

from __future__ import annotations

import pytest

from nkohub_notifications.settings import NotificationsSettings
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PUBLIC_KEY,
    WEBHOOK_SECRET,
)


def settings(**smtp: object) -> NotificationsSettings:
    return NotificationsSettings(
        _env_file=None,
        mongodb_url="mongodb://db.example:27017",
        amqp_url="amqp://u:p@mq.example:5672/",
        staff_token_public_key=STAFF_TOKEN_PUBLIC_KEY,
        link_secret=LINK_SECRET,
        person_key_secret=PERSON_KEY_SECRET,
        webhook_secret=WEBHOOK_SECRET,
        **smtp,
    )


@pytest.mark.parametrize("host", ["smtp.yandex.ru", "mailpit", "10.0.0.5", "2001:db8::1"])
def test_a_relay_off_this_machine_gets_starttls(host: str) -> None:
    assert settings(smtp_host=host).smtp_requires_starttls is True


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.0.1", "::1", "[::1]"])
def test_a_loopback_relay_may_speak_plain_smtp(host: str) -> None:
    assert settings(smtp_host=host).smtp_requires_starttls is False


def test_an_operator_may_turn_starttls_off_or_on_explicitly() -> None:
    assert settings(smtp_host="mailpit", smtp_starttls=False).smtp_requires_starttls is False
    assert settings(smtp_host="localhost", smtp_starttls=True).smtp_requires_starttls is True


def test_implicit_tls_never_asks_for_starttls_as_well() -> None:
    assert settings(smtp_host="smtp.yandex.ru", smtp_ssl=True).smtp_requires_starttls is False
