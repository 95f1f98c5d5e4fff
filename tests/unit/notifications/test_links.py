"""Signed links in messages and the List-Unsubscribe headers of marketing-like mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest

from nkohub_notifications.domain.links import LinkState
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.rendering import Renderer
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.errors import Forbidden
from nkohub_shared.links import Purpose
from nkohub_shared.privacy import sign

from .conftest import SECRET

AT = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)


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
    expires = int(AT.timestamp())
    confirm = sign(SECRET, "notifications-confirm", f"s1|{expires}")
    assert links.confirm_subscription("s1", AT) == (
        f"https://notify.example.org/subscriptions/s1/confirm?expires={expires}&token={confirm}"
    )


def _confirm_query(link: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(link).query)
    return query["expires"][0], query["token"][0]


def test_a_confirmation_link_expires_and_its_expiry_cannot_be_moved(links):
    expires, token = _confirm_query(links.confirm_subscription("s1", AT))
    before, after = AT - timedelta(seconds=1), AT + timedelta(seconds=1)
    assert links.confirm_state("s1", expires, token, before) is LinkState.VALID
    assert links.confirm_state("s1", expires, token, AT) is LinkState.EXPIRED
    assert links.confirm_state("s1", expires, token, after) is LinkState.EXPIRED
    later = str(int(expires) + 86400)
    assert links.confirm_state("s1", later, token, after) is LinkState.INVALID
    assert links.confirm_state("s2", expires, token, before) is LinkState.INVALID


@pytest.mark.parametrize(
    ("expires", "token"),
    [
        ("", ""),
        ("abc", "x"),
        ("-5", "x"),
        ("١٢٣", "x"),  # Arabic-Indic digits: isdigit() but not ours
        ("9" * 40, "x"),
        ("1", "ё" * 10),
        ("1", "\x00\udcff"),
        ("1", "x" * 5000),
    ],
)
def test_garbage_in_a_confirmation_link_is_simply_invalid(links, expires, token):
    assert links.confirm_state("s1", expires, token, AT) is LinkState.INVALID


def test_a_confirmation_link_from_before_links_expired_counts_as_expired(links):
    legacy = sign(SECRET, "notifications-confirm", "s1")
    assert links.confirm_state("s1", None, legacy, AT) is LinkState.EXPIRED
    assert links.confirm_state("s1", "", "forged", AT) is LinkState.INVALID


def test_a_token_is_worthless_for_another_person_or_purpose(links):
    token = parse_qs(urlsplit(links.unsubscribe("s1")).query)["token"][0]
    assert links.signer.valid(Purpose.UNSUBSCRIBE, "s1", token)
    assert not links.signer.valid(Purpose.UNSUBSCRIBE, "s2", token)
    assert not links.signer.valid(Purpose.CONFIRM_SUBSCRIPTION, "s1", token)
    assert not links.signer.valid(Purpose.UNSUBSCRIBE, "s1", "ё" + token)
    with pytest.raises(Forbidden) as refused:
        links.signer.require(Purpose.UNSUBSCRIBE, "s2", token)
    assert refused.value.field == "token"


def test_list_unsubscribe_names_the_https_link_of_the_topic_and_no_mailto(links):
    headers = links.list_unsubscribe("s1", "grants")
    token = sign(SECRET, "notifications-unsubscribe", "s1")
    assert headers == {
        "List-Unsubscribe": (
            f"<https://notify.example.org/unsubscribe/s1?topic=grants&token={token}>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert "mailto:" not in headers["List-Unsubscribe"]
    everything = links.list_unsubscribe("s1")["List-Unsubscribe"]
    assert everything == f"<https://notify.example.org/unsubscribe/s1?token={token}>"


def test_the_preference_centre_link_carries_the_unsubscribe_token(links):
    token = sign(SECRET, "notifications-unsubscribe", "s1")
    assert links.preferences("s1") == f"https://notify.example.org/preferences/s1?token={token}"


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


def test_marketing_mail_without_a_subscriber_to_unsubscribe_is_failed_not_sent(links):
    from nkohub_notifications.domain.samples import sample_context

    message = _notifier(links).email(
        cause="ev1",
        recipient=Recipient("pk", "Ольга", "olga@example.org"),
        template="grant_deadline",
        context=sample_context("grant_deadline"),
    )
    assert message["status"] == "failed" and "subscriber" in message["last_error"]
    assert message["text"] == "" and message["next_attempt_at"] is None


def test_a_message_that_cannot_be_built_is_failed_with_its_reason(links):
    """A header injection attempt in the address, a template missing its data: stored
    failed at once (nothing retries it), the reason without the address or the name."""
    from nkohub_notifications.domain.samples import sample_context

    notifier = _notifier(links)
    injected = notifier.email(
        cause="ev1",
        recipient=Recipient("pk", "Ольга", "olga@example.org\r\nBcc: all@example.org"),
        template="registration_confirmed",
        context=sample_context("registration_confirmed"),
    )
    assert injected["status"] == "failed"
    assert injected["last_error"] == "cannot build the message: invalid recipient address"
    broken = notifier.email(
        cause="ev1",
        recipient=Recipient("pk", "Ольга Смирнова", "olga@example.org"),
        template="registration_confirmed",
        context={"cancel_url": "https://x"},  # no meetup
    )
    assert broken["status"] == "failed" and "UndefinedError" in broken["last_error"]
    assert "olga@" not in broken["last_error"] and "Смирнова" not in broken["last_error"]
    fine = notifier.email(
        cause="ev1",
        recipient=Recipient("pk", "Ольга\r\nBcc: x", "olga@example.org"),
        template="registration_confirmed",
        context=sample_context("registration_confirmed"),
    )
    assert fine["status"] == "queued" and fine["recipient_name"] == "Ольга Bcc: x"


def test_the_confirmation_mail_can_leave_out_the_name(links):
    message = _notifier(links).email(
        cause="ev1",
        recipient=Recipient("pk", "Visit evil dot example", "olga@example.org"),
        template="subscription_confirm",
        context={"confirm_url": links.confirm_subscription("s1", AT), "link_days": 7},
        greet=False,
    )
    assert message["text"].startswith("Здравствуйте!\n")
    assert "evil" not in message["text"] + message["html"] + message["subject"]
    assert "Ссылка действует 7 дней." in message["text"]


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
