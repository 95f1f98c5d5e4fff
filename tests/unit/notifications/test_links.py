"""Signed links in messages and the List-Unsubscribe headers of marketing-like mail."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.rendering import Renderer
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.errors import Forbidden
from nkohub_shared.links import Purpose
from nkohub_shared.privacy import sign, verify

from .conftest import SECRET


def test_the_events_services_links_keep_their_paths_and_tokens(links):
    token = sign(SECRET, "registration", "r1")
    assert links.registration_cancel("r1") == (
        f"https://events.example.org/registrations/r1/cancel?token={token}"
    )
    assert links.feedback("m1", "r1") == (
        f"https://events.example.org/meetups/m1/feedback?registration=r1&token={token}"
    )
    consultation = sign(SECRET, "consultation", "c1")
    assert links.consultation_cancel("c1") == (
        f"https://events.example.org/consultations/c1/cancel?token={consultation}"
    )


def test_our_own_links_keep_their_paths_and_tokens(links):
    unsubscribe = sign(SECRET, "notifications-unsubscribe", "s1")
    assert (
        links.unsubscribe("s1") == f"https://notify.example.org/unsubscribe/s1?token={unsubscribe}"
    )
    confirm = sign(SECRET, "notifications-confirm", "s1")
    assert links.confirm_subscription("s1") == (
        f"https://notify.example.org/subscriptions/s1/confirm?token={confirm}"
    )


def test_a_token_is_worthless_for_another_person_or_purpose(links):
    token = parse_qs(urlsplit(links.unsubscribe("s1")).query)["token"][0]
    assert links.signer.valid(Purpose.UNSUBSCRIBE, "s1", token)
    assert not links.signer.valid(Purpose.UNSUBSCRIBE, "s2", token)
    assert not links.signer.valid(Purpose.CONFIRM_SUBSCRIPTION, "s1", token)
    assert not links.signer.valid(Purpose.UNSUBSCRIBE, "s1", "ё" + token)
    with pytest.raises(Forbidden) as refused:
        links.signer.require(Purpose.UNSUBSCRIBE, "s2", token)
    assert refused.value.field == "token"


def test_list_unsubscribe_headers_carry_the_https_link_and_mailto(links):
    headers = links.list_unsubscribe("s1")
    token = sign(SECRET, "notifications-unsubscribe", "s1")
    assert headers == {
        "List-Unsubscribe": (
            f"<https://notify.example.org/unsubscribe/s1?token={token}>, "
            f"<mailto:unsubscribe@nkohub.local?subject=unsubscribe%20s1%20{token}>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    mailto = headers["List-Unsubscribe"].split(", ")[1].strip("<>")
    subject = unquote(mailto.split("subject=", 1)[1])
    word, subscriber, mailed_token = subject.split(" ")
    assert (word, subscriber) == ("unsubscribe", "s1")
    assert verify(SECRET, "notifications-unsubscribe", "s1", mailed_token)


def _notifier(links) -> Notifier:
    """Only its pure part (building messages): no storage behind it."""
    nothing = cast(Any, None)
    return Notifier(
        nothing, nothing, Renderer(), links, wake_sender=lambda: None, telegram_enabled=False
    )


def test_marketing_mail_carries_list_unsubscribe_and_the_link_in_its_body(links):
    from nkohub_notifications.domain.samples import sample_context

    recipient = Recipient("pk", "Ольга", "olga@example.org", subscriber_id="s1")
    context = sample_context("meetup_announcement")
    del context["unsubscribe_url"]
    message = _notifier(links).email(
        cause="ev1", recipient=recipient, template="meetup_announcement", context=context
    )
    assert message["headers"] == links.list_unsubscribe("s1")
    assert links.unsubscribe("s1") in message["text"]
    assert links.unsubscribe("s1").replace("&", "&amp;") in message["html"]


def test_marketing_mail_needs_a_subscriber_to_unsubscribe(links):
    from nkohub_notifications.domain.samples import sample_context

    with pytest.raises(ValueError, match="subscriber"):
        _notifier(links).email(
            cause="ev1",
            recipient=Recipient("pk", "Ольга", "olga@example.org"),
            template="grant_deadline",
            context=sample_context("grant_deadline"),
        )


def test_transactional_mail_has_no_list_unsubscribe(links):
    from nkohub_notifications.domain.samples import sample_context

    message = _notifier(links).email(
        cause="ev1",
        recipient=Recipient("pk", "Ольга", "olga@example.org", subscriber_id="s1"),
        template="registration_confirmed",
        context=sample_context("registration_confirmed"),
    )
    assert message["headers"] == {}
    assert "unsubscribe" not in message["text"]
