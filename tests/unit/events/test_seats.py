"""Seat and waitlist decisions of ``domain.registrations`` over the meetup's seat ledger."""

from __future__ import annotations

import pytest

from nkohub_contracts.events import (
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from nkohub_events.domain import registrations as rules
from nkohub_shared.errors import Conflict, InvalidInput
from tests.unit.events.conftest import NOW, meetup_doc, registration_doc

URL = "http://events.test"


def test_a_free_seat_is_not_free_while_people_wait():
    assert rules.has_free_seat(meetup_doc(capacity=3, confirmed=2)) is True
    assert rules.has_free_seat(meetup_doc(capacity=3, confirmed=3)) is False
    assert rules.has_free_seat(meetup_doc(capacity=3, reserved_seats=1, confirmed=2)) is False
    assert rules.has_free_seat(meetup_doc(capacity=3, confirmed=2, waiting=1)) is False


def test_refusal_when_no_place_was_found():
    full = meetup_doc(capacity=2, confirmed=2, waitlist_enabled=False)
    error = rules.refusal(full, NOW)
    assert isinstance(error, Conflict) and error.field == "meetup_id"
    assert error.details == {"reason": "full"}
    assert rules.refusal(meetup_doc(capacity=2, confirmed=2), NOW) is None, "it may wait"
    assert rules.refusal(meetup_doc(capacity=2, confirmed=1), NOW) is None, "try again"
    cancelled = rules.refusal(meetup_doc(status="cancelled"), NOW)
    assert cancelled is not None
    assert cancelled.message == "the meetup is cancelled: it takes no registrations"


def test_a_seat_for_the_waitlist_only_when_one_is_free_and_someone_waits():
    assert rules.seat_for_waitlist(meetup_doc(capacity=2, confirmed=1, waiting=2)) is True
    assert rules.seat_for_waitlist(meetup_doc(capacity=2, confirmed=2, waiting=1)) is False
    assert rules.seat_for_waitlist(meetup_doc(capacity=2, confirmed=1)) is False
    cancelled = meetup_doc(status="cancelled", capacity=2, confirmed=1, waiting=1)
    assert rules.seat_for_waitlist(cancelled) is False


def test_settled_registrations_and_their_events():
    m, r = meetup_doc(), registration_doc()
    fields, event = rules.settled(r, m, rules.Place("confirmed"), NOW, URL)
    assert fields == {"status": "confirmed", "confirmed_at": NOW}
    assert isinstance(event, RegistrationConfirmed) and event.short_code == "ABCDEF"
    fields, event = rules.settled(r, m, rules.Place("waitlisted", 7, 12), NOW, URL)
    assert fields == {"status": "waitlisted", "waitlisted_at": NOW, "waitlist_position": 12}
    assert isinstance(event, RegistrationWaitlisted) and event.position == 7
    assert event.participant.email == "anna@example.org"


def test_promotion():
    m = meetup_doc()
    promoted = rules.promoted(registration_doc(status="waitlisted"), m, NOW, URL)
    assert promoted is not None
    fields, event = promoted
    assert fields == {"status": "confirmed", "confirmed_at": NOW, "promoted_at": NOW}
    assert isinstance(event, RegistrationPromoted)
    seated_early = rules.promoted(registration_doc(status="pending"), m, NOW, URL)
    assert seated_early is not None and isinstance(seated_early[1], RegistrationConfirmed)
    assert rules.promoted(registration_doc(status="confirmed"), m, NOW, URL) is None
    assert rules.left_meanwhile(registration_doc(status="cancelled")) is True


def test_cancellation_only_before_the_meetup_is_over():
    r = registration_doc(status="waitlisted")
    fields, event = rules.cancelled(r, meetup_doc(), "participant", NOW, URL)
    assert fields == {"status": "cancelled", "cancelled_at": NOW, "cancelled_by": "participant"}
    assert event.previous_status == "waitlisted" and event.cancelled_by == "participant"
    for status in ("completed", "cancelled"):
        with pytest.raises(Conflict) as caught:
            rules.cancelled(r, meetup_doc(status=status), "staff", NOW, URL)
        assert caught.value.field == "registration_id"


def test_check_in_only_of_confirmed_registrations_once():
    assert rules.first_check_in(registration_doc(status="confirmed", checked_in_at=None)) is True
    assert rules.first_check_in(registration_doc(status="confirmed", checked_in_at=NOW)) is False
    with pytest.raises(Conflict) as caught:
        rules.first_check_in(registration_doc(status="waitlisted"))
    assert caught.value.field == "status"
    with pytest.raises(Conflict) as caught:
        rules.require_check_in_open(meetup_doc(status="cancelled"))
    assert caught.value.field == "meetup_id"


def body(**overrides):
    data = {
        "name": "Анна",
        "email": " Anna@Example.ORG ",
        "role": "activist",
        "consent_personal_data": True,
    }
    data.update(overrides)
    return rules.RegistrationIn.model_validate(data)


def test_consent_is_required_in_the_text_version_shown():
    assert rules.consented_version(body(), "2026-01") == "2026-01"
    assert rules.consented_version(body(consent_text_version="2026-01"), "2026-01") == "2026-01"
    with pytest.raises(InvalidInput) as caught:
        rules.consented_version(body(consent_personal_data=False), "2026-01")
    assert caught.value.field == "consent_personal_data"
    with pytest.raises(InvalidInput) as caught:
        rules.consented_version(body(consent_text_version="1999"), "2026-01")
    assert caught.value.field == "consent_text_version"


def test_a_new_registration_is_pending_with_its_keys():
    data = body(organization_name="АНО «Шахматы»")
    org = {"organization_id": None, "organization_ogrn": None, "organization_name": "АНО «Шахматы»"}
    doc = rules.new_registration("r9", "m1", data, org, "2026-01", NOW)
    assert doc["status"] == "pending" and doc["email"] == "Anna@example.org"
    assert doc["email_key"] == "anna@example.org"
    assert doc["short_code"] == rules.short_code("r9") and len(doc["short_code"]) == 6
    assert doc["search"] == "анна anna@example.org ано «шахматы»"
