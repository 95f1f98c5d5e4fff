"""Abuse rules without servers: failure reasons without addresses, webhook targets,
Telegram's answers, the cap on mail to one recipient, durable erasure, retry_after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from nkohub_notifications.channels.targets import CheckedTarget
from nkohub_notifications.channels.telegram import delivery_of
from nkohub_notifications.channels.webhook import pinned
from nkohub_notifications.domain.caps import cap_key, cap_reason, mail_caps
from nkohub_notifications.domain.erasure import from_before_erasure
from nkohub_notifications.domain.messages import Delivery, Outcome, Status, after_attempt
from nkohub_notifications.domain.reasons import REASON_MAX, scrub_reason
from nkohub_notifications.domain.targets import TargetPolicy, TargetRefused, target_host

AT = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)


# --- failure reasons -----------------------------------------------------------------


def test_a_refusal_loses_the_address_and_the_name():
    reason = scrub_reason(
        "550 5.1.1 <Victim@Example.org>: Recipient address rejected (Мария Петрова)",
        secrets=["victim@example.org"],
        names=["Мария Петрова"],
    )
    assert reason == "550 5.1.1 <<адрес>>: Recipient address rejected (<имя>)"


def test_any_address_like_word_goes_even_if_it_is_not_the_recipients():
    reason = scrub_reason("{'x@y.org': (550, 'no'), 'z@w.org': (550, 'no')}")
    assert "@" not in reason and reason.count("<адрес>") == 2


def test_scrubbing_is_bounded_and_linear():
    huge = "a" * 100_000 + "@" + "b" * 100_000
    assert len(scrub_reason(huge)) <= REASON_MAX
    assert scrub_reason("x" * 100_000) == "x" * REASON_MAX


# --- webhook targets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "not globally routable"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fc00::1", "private"),
    ],
)
def test_internal_addresses_are_refused_by_default(address, kind):
    assert TargetPolicy().refusal([address]) == (
        f"webhook target refused: the host resolves to a {kind} address"
    )


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    assert TargetPolicy().refusal(["93.184.216.34"]) is None
    assert "private" in (TargetPolicy().refusal(["93.184.216.34", "10.0.0.1"]) or "")
    assert TargetPolicy().refusal([]) == "webhook target refused: the host does not resolve"


def test_the_operator_may_allow_private_targets_or_some_networks():
    assert TargetPolicy(allow_private=True).refusal(["127.0.0.1", "10.0.0.1"]) is None
    some = TargetPolicy.of(False, ["10.1.2.0/24"])
    assert some.refusal(["10.1.2.7"]) is None
    assert some.refusal(["10.1.3.7"]) is not None


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "http://", "http://u:p@example.org/", "http://x:99999/"]
)
def test_only_plain_http_urls_are_targets(url):
    with pytest.raises(TargetRefused):
        target_host(url)


def test_the_request_goes_to_the_checked_address():
    target = CheckedTarget("hooks.example.org", "93.184.216.34")
    assert pinned("https://hooks.example.org:8443/in?a=1", target) == (
        "https://93.184.216.34:8443/in?a=1"
    )
    assert pinned("http://h/x", CheckedTarget("h", "2001:db8::1")) == "http://[2001:db8::1]/x"


# --- Telegram's answers --------------------------------------------------------------


def _answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_telegram_answers_mean_sent_retry_later_or_failed():
    assert delivery_of(_answer(200, {"ok": True, "result": {}})).outcome is Outcome.SENT
    limited = delivery_of(
        _answer(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        )
    )
    assert limited.outcome is Outcome.TEMPORARY and limited.retry_after == 7
    lost = delivery_of(
        _answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    )
    assert lost.outcome is Outcome.PERMANENT
    assert lost.detail == "400 Bad Request: chat not found"
    assert delivery_of(httpx.Response(502, text="<html>")).outcome is Outcome.TEMPORARY


def test_retry_after_is_honoured_over_a_shorter_backoff():
    delivery = Delivery(outcome=Outcome.TEMPORARY, detail="429", retry_after=60)
    status, next_at = after_attempt(delivery, 1, max_attempts=5, base=1, ceiling=10, at=AT)
    assert status is Status.QUEUED and next_at == AT + timedelta(seconds=60)
    plain = Delivery(outcome=Outcome.TEMPORARY, detail="503")
    assert after_attempt(plain, 1, max_attempts=5, base=1, ceiling=10, at=AT)[1] == (
        AT + timedelta(seconds=1)
    )


# --- the cap, durable erasure ----------------------------------------------------------


def test_the_cap_counts_one_recipient_one_kind_one_channel():
    message = {"channel": "email", "recipient_key": "pk", "template": "reminder"}
    assert cap_key(message) == "email|pk|reminder"
    hour, day = mail_caps(3, 10)
    assert (hour.count, hour.per_seconds, day.count, day.per_seconds) == (3, 3600, 10, 86400)
    assert cap_reason(hour) == "cap reached: more than 3 messages of this kind per hour"


def test_an_event_from_before_the_erasure_is_refused_a_later_one_is_not():
    assert from_before_erasure(AT - timedelta(seconds=1), AT) is True
    assert from_before_erasure(AT, AT + timedelta(microseconds=300)) is True
    assert from_before_erasure(AT + timedelta(seconds=1), AT) is False
    assert from_before_erasure(AT, None) is False


def test_a_short_secret_is_hidden_only_as_a_whole_word():
    reason = scrub_reason("429 Too Many Requests for chat 42", secrets=["42"])
    assert reason == "429 Too Many Requests for chat <адрес>"


def test_a_subject_loses_control_characters_from_event_data(renderer):
    from nkohub_notifications.domain.samples import sample_context

    context = sample_context("registration_confirmed")
    context["meetup"] = context["meetup"] | {"title": "Встреча\r\nBcc: x@y.org\x00\x1b[31m"}
    subject = renderer.render("registration_confirmed", context).subject
    assert subject == "Регистрация подтверждена: Встреча Bcc: x@y.org [31m"
