"""Message rules: status after an attempt, backoff, what a reply means, keys, filters."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from nkohub_notifications.domain.messages import (
    Channel,
    Delivery,
    MessageFilter,
    Outcome,
    Recipient,
    Status,
    after_attempt,
    http_outcome,
    idempotency_key,
    message_document,
    retry_delay,
    smtp_outcome,
    webhook_signature,
)
from nkohub_shared.privacy import person_key

AT = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)
RETRIES = {"max_attempts": 3, "base": 30.0, "ceiling": 100.0}


def test_sent_is_final():
    assert after_attempt(Delivery(outcome=Outcome.SENT), 1, at=AT, **RETRIES) == (
        Status.SENT,
        None,
    )


def test_permanent_failure_fails_at_once():
    delivery = Delivery(outcome=Outcome.PERMANENT, detail="550 no such user")
    assert after_attempt(delivery, 1, at=AT, **RETRIES) == (Status.FAILED, None)


def test_temporary_failure_is_queued_again_with_backoff():
    delivery = Delivery(outcome=Outcome.TEMPORARY, detail="451 later")
    assert after_attempt(delivery, 1, at=AT, **RETRIES) == (
        Status.QUEUED,
        AT + timedelta(seconds=30),
    )
    assert after_attempt(delivery, 2, at=AT, **RETRIES) == (
        Status.QUEUED,
        AT + timedelta(seconds=60),
    )


def test_temporary_failure_fails_when_attempts_are_used_up():
    delivery = Delivery(outcome=Outcome.TEMPORARY)
    assert after_attempt(delivery, 3, at=AT, **RETRIES) == (Status.FAILED, None)


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 30), (1, 30), (2, 60), (3, 120), (4, 240), (20, 600)]
)
def test_retry_delay_doubles_up_to_the_ceiling(attempts, seconds):
    assert retry_delay(attempts, base=30, ceiling=600) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (250, Outcome.SENT),
        (421, Outcome.TEMPORARY),
        (451, Outcome.TEMPORARY),
        (None, Outcome.TEMPORARY),
        (550, Outcome.PERMANENT),
        (554, Outcome.PERMANENT),
    ],
)
def test_smtp_reply_codes(code, outcome):
    assert smtp_outcome(code) is outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.SENT),
        (204, Outcome.SENT),
        (408, Outcome.TEMPORARY),
        (429, Outcome.TEMPORARY),
        (500, Outcome.TEMPORARY),
        (503, Outcome.TEMPORARY),
        (400, Outcome.PERMANENT),
        (404, Outcome.PERMANENT),
        (410, Outcome.PERMANENT),
    ],
)
def test_http_status_codes(status, outcome):
    assert http_outcome(status) is outcome


def test_webhook_signature_is_hmac_sha256_hex():
    expected = hmac.new(b"key", b"body", hashlib.sha256).hexdigest()
    assert webhook_signature("key", b"body") == f"sha256={expected}"


def test_idempotency_key_names_cause_recipient_template_and_other_channels():
    assert idempotency_key("ev1", "pk", "reminder", Channel.EMAIL) == "ev1|pk|reminder"
    assert (
        idempotency_key("ev1", "pk", "meetup_announcement", Channel.WEBHOOK)
        == "ev1|pk|meetup_announcement:webhook"
    )


def test_a_new_message_is_queued_and_due_now():
    recipient = Recipient.of("Мария", "Maria@Example.org")
    doc = message_document(
        cause="ev1",
        channel=Channel.EMAIL,
        to=recipient.email,
        recipient=recipient,
        template="reminder",
        at=AT,
        subject="s",
    )
    assert doc["status"] == Status.QUEUED and doc["attempts"] == 0
    assert doc["next_attempt_at"] == AT and doc["created_at"] == AT
    assert doc["key"] == f"ev1|{person_key('maria@example.org')}|reminder"
    assert doc["to"] == "maria@example.org" and doc["subject"] == "s"
    assert len(doc["_id"]) == 32 and int(doc["_id"], 16) >= 0


def test_a_message_can_wait_until_a_time():
    recipient = Recipient("pk", "Мария", "m@example.org")
    later = AT + timedelta(hours=1)
    doc = message_document(
        cause="c",
        channel=Channel.EMAIL,
        to="m@example.org",
        recipient=recipient,
        template="reminder",
        not_before=later,
        at=AT,
    )
    assert doc["next_attempt_at"] == later


def test_recipient_names_lose_line_breaks_and_control_characters():
    recipient = Recipient("pk", "Мария\r\nBcc: all@example.org\x00", "m@example.org")
    assert recipient.name == "Мария Bcc: all@example.org"


def test_message_filter_takes_an_address_or_a_person_key():
    assert MessageFilter(recipient="BOB@example.org").recipient_key == person_key("bob@example.org")
    assert MessageFilter(recipient="  ABC123 ").recipient_key == "abc123"
    assert MessageFilter().recipient_key is None
