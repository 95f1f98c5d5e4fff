"""Who may be mailed (consent, unsubscribed, pending), double opt-in, recipients' fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from nkohub_notifications.domain.messages import Channel
from nkohub_notifications.domain.subscribers import (
    PENDING_FIELDS,
    ConfirmVerdict,
    PublicName,
    SubscriberChanges,
    SubscriberFields,
    SubscriberStatus,
    Topic,
    TopicChoice,
    confirm_verdict,
    confirmation,
    follows,
    in_their_zone,
    pending_choice,
    registration_request,
    renewed_choice,
    subscriber_document,
    unsubscription,
)
from nkohub_shared.privacy import person_key

AT = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)


def subscriber(**changes):
    doc = {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        "email": "a@example.org",
        "webhook_url": None,
        "telegram_chat_id": None,
        "topics": {"meetups": {"email": True, "webhook": False, "telegram": False}},
    }
    return doc | changes


def test_a_confirmed_consenting_follower_is_mailed():
    assert follows(subscriber(), Topic.MEETUPS, Channel.EMAIL) is True


@pytest.mark.parametrize(
    "changes",
    [
        {"mailing_consent": False},
        {"status": SubscriberStatus.UNSUBSCRIBED.value},
        {"status": SubscriberStatus.PENDING.value},
        {"topics": {"meetups": {"email": False}}},
        {"topics": {"grants": {"email": True}}},
        {"email": None},
    ],
    ids=["no consent", "unsubscribed", "pending", "opted out", "other topic", "no address"],
)
def test_who_is_not_mailed(changes):
    assert follows(subscriber(**changes), Topic.MEETUPS, Channel.EMAIL) is False


def test_other_channels_need_their_own_opt_in_and_address():
    webhook = {"meetups": {"email": False, "webhook": True}}
    assert follows(subscriber(topics=webhook), Topic.MEETUPS, Channel.WEBHOOK) is False
    hooked = subscriber(topics=webhook, webhook_url="https://partner.example.org/hook")
    assert follows(hooked, Topic.MEETUPS, Channel.WEBHOOK) is True
    assert follows(hooked, Topic.MEETUPS, Channel.EMAIL) is False


def test_subscriber_fields_normalise_the_address_and_the_name():
    fields = SubscriberFields(name="  Ольга\r\nПетрова ", email="Olga@Example.ORG")
    doc = subscriber_document(
        fields, status=SubscriberStatus.PENDING, source="public", consent=False, at=AT
    )
    assert doc["email"] == "olga@example.org"
    assert doc["person_key"] == person_key("olga@example.org")
    assert doc["name"] == "Ольга Петрова"
    assert doc["status"] == "pending" and doc["mailing_consent"] is False
    assert doc["consent_at"] is None and doc["created_at"] == AT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "nope"),
        ("email", "a@b@example.org"),
        ("email", "x" * 250 + "@example.org"),
        ("name", "\r\n\x00"),
        ("name", "я" * 201),
        ("timezone", "Mars/Olympus"),
        ("telegram_chat_id", "12ab"),
    ],
)
def test_subscriber_fields_refuse_bad_values_naming_the_field(field, value):
    data = {"name": "Ольга", "email": "o@example.org", field: value}
    with pytest.raises(ValidationError) as raised:
        SubscriberFields(**data)
    assert [e["loc"][0] for e in raised.value.errors()] == [field]


def test_consent_is_dated_when_given():
    fields = SubscriberFields(name="A", email="a@example.org", topics={"grants": {}})
    doc = subscriber_document(
        fields, status=SubscriberStatus.CONFIRMED, source="staff", consent=True, at=AT
    )
    assert doc["consent_at"] == AT
    assert doc["topics"] == {"grants": {"email": True, "webhook": False, "telegram": False}}


def test_confirming_adds_the_pending_topics_and_categories():
    pending = pending_choice([Topic.BLOG], ["гранты"])
    doc = subscriber(topics={"meetups": {"email": True}}, **pending)
    fields = confirmation(doc, at=AT)
    assert fields["status"] == "confirmed" and fields["mailing_consent"] is True
    assert fields["consent_at"] == AT
    assert fields["topics"] == {
        "meetups": {"email": True},
        "blog": {"email": True, "webhook": False, "telegram": False},
    }
    assert fields["blog_categories"] == ["гранты"]


def test_unsubscribing_withdraws_consent():
    assert unsubscription(at=AT) == {
        "status": "unsubscribed",
        "mailing_consent": False,
        "unsubscribed_at": AT,
        "updated_at": AT,
    }


def test_a_registrations_consent_asks_for_meetups_by_double_opt_in():
    doc = registration_request("Иван\nИванов", "Ivan@Example.org", at=AT)
    assert doc["name"] == "Иван Иванов" and doc["email"] == "ivan@example.org"
    assert doc["pending_topics"] == {"meetups": TopicChoice().model_dump()}
    assert doc["status"] == "pending" and doc["source"] == "registration"
    assert doc["mailing_consent"] is False and doc["topics"] == {}
    assert follows(doc, Topic.MEETUPS, Channel.EMAIL) is False, "not before the link"
    assert confirm_verdict(doc) is ConfirmVerdict.CONFIRM
    confirmed = doc | confirmation(doc, at=AT)
    assert follows(confirmed, Topic.MEETUPS, Channel.EMAIL) is True
    assert "person_key" not in doc  # the insert-only upsert's filter sets it


def test_a_confirmation_works_only_while_its_request_is_pending():
    request = registration_request("Иван", "ivan@example.org", at=AT)
    assert confirm_verdict(request) is ConfirmVerdict.CONFIRM
    confirmed = {k: v for k, v in (request | confirmation(request, at=AT)).items()}
    for field in PENDING_FIELDS:
        confirmed.pop(field)
    assert confirm_verdict(confirmed) is ConfirmVerdict.ALREADY
    unsubscribed = confirmed | unsubscription(at=AT)
    assert confirm_verdict(unsubscribed) is ConfirmVerdict.USED
    again = unsubscribed | renewed_choice(unsubscribed)
    assert again["pending_topics"] == confirmed["topics"], "asks again for what they had"
    assert confirm_verdict(again) is ConfirmVerdict.CONFIRM


class _Form(BaseModel):
    name: PublicName


@pytest.mark.parametrize(
    "name",
    [
        "http://evil.example/x",
        "Иван <b>",
        "visit www.evil.example",
        "admin@evil.example",
        "Иван & co",
        "Я" * 101,
        " \r\n ",
    ],
)
def test_a_name_typed_on_the_public_form_carries_no_link_or_markup(name):
    with pytest.raises(ValidationError):
        _Form(name=name)


def test_ordinary_names_pass_the_public_form_on_one_line():
    assert _Form(name="Анна-Мария О'Нил").name == "Анна-Мария О'Нил"
    assert _Form(name="А. С.\r\nПушкин").name == "А. С. Пушкин"


def test_staff_changes_set_only_what_was_sent():
    changes = SubscriberChanges(topics={"blog": {}}, mailing_consent=True)
    assert changes.fields(at=AT) == {
        "topics": {"blog": {"email": True, "webhook": False, "telegram": False}},
        "mailing_consent": True,
        "consent_at": AT,
        "updated_at": AT,
    }
    assert SubscriberChanges(name="Б").fields(at=AT) == {"name": "Б", "updated_at": AT}
    with pytest.raises(ValidationError):
        SubscriberChanges(webhook_url="ftp://x")


def test_recipients_read_times_in_their_own_zone():
    assert in_their_zone({"grant": 1}, {"timezone": "Asia/Vladivostok"}) == {
        "grant": 1,
        "timezone": "Asia/Vladivostok",
    }
    assert in_their_zone({}, {"timezone": None}) == {"timezone": "Europe/Samara"}
