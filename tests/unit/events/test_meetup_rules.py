"""The meetup rules of ``domain.meetups``: lengths, windows, program, life cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nkohub_events.domain import meetups as rules
from nkohub_shared.errors import Conflict, InvalidInput
from tests.unit.events.conftest import NOW, START, meetup_doc


def fields(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Открытое общение",
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "venue": {"name": "ПНБ", "hall_capacity": 65},
        "capacity": 65,
        "reserved_seats": 0,
        "program": [],
    }
    body.update(overrides)
    return body


def refused(error: type[Exception], call: Any) -> Any:
    with pytest.raises(error) as caught:
        call()
    return caught.value


def test_naive_times_are_the_venues_and_stored_in_utc():
    out = rules.normalise_meetup(
        fields(starts_at=datetime(2030, 3, 28, 15, 0), ends_at=datetime(2030, 3, 28, 17, 0))
    )
    assert out["starts_at"] == datetime(2030, 3, 28, 11, 0, tzinfo=UTC)
    assert out["timezone"] == "Europe/Samara"


def test_a_meetup_lasts_at_most_fourteen_days():
    assert rules.normalise_meetup(fields(ends_at=START + timedelta(days=14)))
    error = refused(
        InvalidInput,
        lambda: rules.normalise_meetup(fields(ends_at=START + timedelta(days=14, minutes=1))),
    )
    assert error.field == "ends_at" and "14 days" in error.message


def test_a_meetup_ends_after_it_starts():
    error = refused(InvalidInput, lambda: rules.normalise_meetup(fields(ends_at=START)))
    assert error.field == "ends_at"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 10, "reserved_seats": 10}, "reserved_seats"),
        ({"capacity": 66}, "capacity"),  # the hall has 65 seats
        ({"timezone": "Mars/Olympus"}, "timezone"),
        (
            {
                "registration_opens_at": START - timedelta(days=1),
                "registration_closes_at": START - timedelta(days=2),
            },
            "registration_closes_at",
        ),
        ({"registration_opens_at": START + timedelta(hours=2)}, "registration_opens_at"),
    ],
)
def test_rules_across_fields_name_the_field(overrides, field):
    error = refused(InvalidInput, lambda: rules.normalise_meetup(fields(**overrides)))
    assert error.field == field


def test_registration_cannot_close_after_the_meetup_ends():
    ends = START + timedelta(hours=2)
    assert rules.normalise_meetup(fields(registration_closes_at=ends))["registration_closes_at"]
    error = refused(
        InvalidInput,
        lambda: rules.normalise_meetup(fields(registration_closes_at=ends + timedelta(minutes=1))),
    )
    assert error.field == "registration_closes_at"
    assert error.message == "registration cannot close after the meetup ends"


def test_program_items_start_within_the_meetup_or_up_to_twelve_hours_before():
    def program(*starts: datetime) -> dict[str, Any]:
        return fields(program=[{"kind": "talk", "title": "Доклад", "starts_at": s} for s in starts])

    ok = rules.normalise_meetup(program(START - timedelta(hours=12), START + timedelta(hours=2)))
    assert [p["position"] for p in ok["program"]] == [1, 2]
    early = refused(
        InvalidInput,
        lambda: rules.normalise_meetup(program(START, START - timedelta(hours=12, minutes=1))),
    )
    assert early.field == "program.1.starts_at" and "program item 2" in early.message
    late = refused(
        InvalidInput,
        lambda: rules.normalise_meetup(program(START + timedelta(hours=2, minutes=1))),
    )
    assert late.field == "program.0.starts_at"


def test_registration_window():
    opens, closes = START - timedelta(days=3), START - timedelta(days=1)
    m = meetup_doc(registration_opens_at=opens, registration_closes_at=closes)
    assert rules.registration_window_error(m, opens - timedelta(seconds=1)) == (
        "registration has not opened yet"
    )
    assert rules.registration_window_error(m, opens) is None
    assert rules.registration_window_error(m, closes) == "registration is closed"
    open_until_start = meetup_doc()
    assert rules.registration_window_error(open_until_start, START - timedelta(seconds=1)) is None
    assert rules.registration_window_error(open_until_start, START) == "registration is closed"
    assert rules.registration_window_error(meetup_doc(status="draft"), NOW) == (
        "the meetup is draft: it takes no registrations"
    )
    assert rules.public_view(m, closes)["registration_open"] is False


def test_publishing():
    draft = meetup_doc(status="draft")
    assert rules.may_move(draft, "scheduled", NOW) is True
    past = refused(Conflict, lambda: rules.may_move(draft, "scheduled", START))
    assert past.field == "starts_at"
    recorded = meetup_doc(status="draft", recorded_after_the_fact=True)
    assert refused(Conflict, lambda: rules.may_move(recorded, "scheduled", NOW)).field == (
        "starts_at"
    )
    assert rules.may_move(meetup_doc(), "scheduled", NOW) is False, "a repeat is harmless"
    completed = meetup_doc(status="completed")
    error = refused(Conflict, lambda: rules.may_move(completed, "scheduled", NOW))
    assert error.field == "status" and error.message == "a completed meetup cannot be published"


def test_cancelling_a_draft_tells_nobody_and_a_completed_meetup_cannot_be_cancelled():
    draft = meetup_doc(status="draft")
    assert rules.may_move(draft, "cancelled", NOW) is True
    after, fields_set = rules.moved(draft, "cancelled", {"cancel_reason": None}, NOW)
    assert after["sequence"] == 0 and fields_set["status"] == "cancelled"
    assert rules.cancelled_event(draft, after, "болезнь", "http://x") is None
    scheduled = meetup_doc(sequence=3)
    after, _ = rules.moved(scheduled, "cancelled", {}, NOW)
    event = rules.cancelled_event(scheduled, after, "болезнь", "http://x/")
    assert event is not None and event.reason == "болезнь" and event.meetup.sequence == 4
    assert event.meetup.public_url == "http://x/meetups/m1"
    error = refused(
        Conflict, lambda: rules.may_move(meetup_doc(status="completed"), "cancelled", NOW)
    )
    assert error.field == "status" and error.details == {"status": "completed"}
    assert rules.may_move(meetup_doc(status="cancelled"), "cancelled", NOW) is False


def test_completing():
    assert refused(Conflict, lambda: rules.may_move(meetup_doc(), "completed", NOW)).field == (
        "starts_at"
    )
    assert rules.may_move(meetup_doc(), "completed", START) is True
    draft = meetup_doc(status="draft")
    assert refused(Conflict, lambda: rules.may_move(draft, "completed", START)).field == "status"
    recorded = meetup_doc(status="draft", recorded_after_the_fact=True)
    assert rules.may_move(recorded, "completed", START) is True
    cancelled = meetup_doc(status="cancelled")
    assert refused(Conflict, lambda: rules.may_move(cancelled, "completed", START)).field == (
        "status"
    )


def test_changes_keep_confirmed_seats_and_name_what_changed():
    before = meetup_doc(status="scheduled", confirmed=4, capacity=10)
    changes, limit = rules.changes_of(before, {"capacity": 12, "reserved_seats": 2})
    assert changes == {"capacity": 12, "reserved_seats": 2} and limit == 10
    assert rules.changes_of(before, {"capacity": 10}) == ({}, 10)
    error = refused(Conflict, lambda: rules.changes_of(before, {"capacity": 3}))
    assert error.field == "capacity" and error.message.startswith("4 seats are confirmed")
    null = refused(InvalidInput, lambda: rules.changes_of(before, {"capacity": None}))
    assert null.field == "capacity" and null.message == "capacity cannot be null"
    assert rules.changes_of(before, {"registration_opens_at": None}) == ({}, 10)
    done = refused(Conflict, lambda: rules.changes_of(meetup_doc(status="completed"), {}))
    assert done.message == "a completed meetup cannot be changed"


def test_an_update_event_only_for_a_published_meetup():
    draft = meetup_doc(status="draft")
    assert rules.updated_event(draft, draft, ["title"], "http://x") is None
    before = meetup_doc()
    after = {**before, "title": "Новое", "venue": {"name": "Зал 2"}, "sequence": 1}
    event = rules.updated_event(before, after, ["venue", "title"], "http://x")
    assert event is not None and event.changed == ["title", "venue"]
    assert event.meetup.title == "Новое" and event.meetup.sequence == 1


def test_seat_figures_of_the_public_view():
    m = meetup_doc(capacity=10, reserved_seats=2, confirmed=5, waiting=2)
    view = rules.public_view(m, NOW)
    assert (view["seats_available"], view["seats_taken"], view["seats_free"]) == (8, 5, 3)
    assert view["waitlist_length"] == 2 and "created_by" not in view
    assert rules.seats_free(meetup_doc(capacity=3, confirmed=3)) == 0
