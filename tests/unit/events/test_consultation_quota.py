"""The consultation rules: the per-organization quota, slots and bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nkohub_events.domain import consultations as rules
from nkohub_shared.errors import Conflict, InvalidInput
from tests.unit.events.conftest import NOW, START, meetup_doc


def org(organization_id=None, name=None):
    return {
        "organization_id": organization_id,
        "organization_ogrn": None,
        "organization_name": name,
    }


def test_the_quota_limit_is_the_meetups_or_the_default():
    assert rules.quota_limit(meetup_doc(), 2) == 2
    assert rules.quota_limit(meetup_doc(consultations_per_organization=5), 2) == 5


def test_the_quota_counts_an_organization_by_id_else_by_its_name_however_typed():
    assert rules.booking_organization_key(org("org-1", "АНО «Одна»")) == "org-1"
    one = rules.booking_organization_key(org(name="АНО «Одна»"))
    assert one == rules.booking_organization_key(org(name="  ано  «одна» "))
    assert rules.quota_id("m1", one) == "m1:name:ано «одна»"
    assert rules.booking_organization_key(org(name="Ёлка")) == (
        rules.booking_organization_key(org(name="елка"))
    )
    with pytest.raises(InvalidInput) as caught:
        rules.booking_organization_key(org(name="  "))
    assert caught.value.field == "organization_name"


def test_a_full_quota_is_a_conflict_naming_its_limit():
    error = rules.quota_full(2)
    assert error.field == "organization_id" and error.details == {"limit": 2}
    assert error.message == "the organization already has 2 consultations booked at this meetup"


def slot(starts=START, minutes=30, booking=None, **extra):
    return {
        "_id": "s1",
        "meetup_id": "m1",
        "starts_at": starts,
        "duration_minutes": minutes,
        "booking": booking,
        **extra,
    }


def test_a_slot_is_bookable_once_before_it_begins_at_a_scheduled_meetup():
    rules.check_bookable(slot(), meetup_doc(), NOW)
    cases = [
        (slot(), meetup_doc(status="cancelled"), NOW, "the meetup is cancelled"),
        (slot(), meetup_doc(), START, "the slot has begun"),
        (slot(booking={"consultation_id": "c"}), meetup_doc(), NOW, "the slot is already booked"),
    ]
    for s, m, now, message in cases:
        with pytest.raises(Conflict) as caught:
            rules.check_bookable(s, m, now)
        assert caught.value.message == message and caught.value.field == "slot_id"


def test_slots_lie_within_the_meetup_and_a_specialist_gives_one_at_a_time():
    m = meetup_doc()
    rules.check_within(m, START, START + timedelta(hours=2))
    with pytest.raises(InvalidInput) as caught:
        rules.check_within(m, START - timedelta(minutes=1), START + timedelta(minutes=29))
    assert caught.value.field == "starts_at"
    others = [slot(START, 30)]
    rules.check_no_overlap(others, START + timedelta(minutes=30), START + timedelta(minutes=60))
    with pytest.raises(Conflict) as caught:
        rules.check_no_overlap(others, START + timedelta(minutes=29), START + timedelta(hours=1))
    assert caught.value.field == "starts_at"
    with pytest.raises(Conflict):
        rules.require_open_for_slots(meetup_doc(status="completed"))


def test_a_booking_holds_a_quota_only_at_a_meetup():
    booking = {"consultation_id": "c1", "org_key": "org-1", "status": "booked"}
    assert rules.booked_quota_ids(slot(), booking) == ["m1:org-1"]  # booked before holds
    assert rules.booked_quota_ids(slot(meetup_id=None), booking) == []
    held = {**booking, "quotas": ["m1:org-1", "m1:address:k"]}
    assert rules.booked_quota_ids(slot(), held) == ["m1:org-1", "m1:address:k"]
    assert rules.active_booking(slot(booking=booking), "c1") == booking
    assert rules.active_booking(slot(booking=booking), "c2") is None
    with pytest.raises(Conflict) as caught:
        rules.require_booked({**booking, "status": "no_show"})
    assert caught.value.message == "the consultation is no_show"


def test_a_consultation_is_not_given_in_the_future():
    today = NOW.date()
    rules.check_given_on(today, today)
    with pytest.raises(InvalidInput) as caught:
        rules.check_given_on(today + timedelta(days=1), today)
    assert caught.value.field == "given_on"
    assert rules.given_slot_id("sheet-1", "fresh") == "given:sheet-1"
    assert rules.given_slot_id(None, "fresh") == "fresh"


def test_a_stranger_naming_a_registry_ngo_counts_against_a_quota_of_their_own():
    ngo = {"_id": "org-1", "public_email": "Info@Shakhmaty.ru"}
    assert rules.contact_is_known(ngo, "info@shakhmaty.ru")
    assert not rules.contact_is_known(ngo, "stranger@example.org")
    assert not rules.contact_is_known({"_id": "org-2"}, "info@shakhmaty.ru")
    assert not rules.contact_is_known(None, "info@shakhmaty.ru")
    assert rules.quota_key("org-1", "org-1", "key-s", known=False) == "org-1|contact:key-s"
    assert rules.quota_key("org-1", "org-1", "key-i", known=True) == "org-1"
    typed = rules.booking_organization_key(org(name="АНО «Одна»"))
    assert rules.quota_key(typed, None, "key-s", known=False) == typed, "a typed name is one"


def test_a_booking_takes_the_ngo_address_and_client_places_in_that_order():
    holds = rules.booking_holds("m1", "org-1", 2, "key-s", 2, "m1:client:p", 3)
    assert [(h.quota_id, h.limit) for h in holds] == [
        ("m1:org-1", 2),
        ("m1:address:key-s", 2),
        ("m1:client:p", 3),
    ]
    assert [h.refusal.status_code for h in holds] == [409, 409, 429]
    assert [h.refusal.field for h in holds] == ["organization_id", "contact.email", "slot_id"]
    staff = rules.booking_holds("m1", "org-1", 2, "key-s", 2, None, 3)
    assert len(staff) == 2, "staff hold no client places"
