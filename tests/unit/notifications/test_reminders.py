"""Reminder due times, their recomputation when a meetup moves, and what a due one becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nkohub_notifications.domain.reminders import (
    Move,
    ReminderStatus,
    due_verdict,
    moved,
    reminder_cause,
    reminder_id,
    reminder_times,
)
from nkohub_notifications.domain.wording import before_words

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
START = datetime(2026, 4, 16, 14, 0, tzinfo=UTC)
DAY, TWO_HOURS = timedelta(days=1), timedelta(hours=2)


def reminder(offset: timedelta, status: ReminderStatus = ReminderStatus.PENDING, start=START):
    return {
        "_id": reminder_id("r1", int(offset.total_seconds())),
        "offset_seconds": int(offset.total_seconds()),
        "starts_at": start,
        "due_at": start - offset,
        "status": status.value,
    }


def test_reminders_are_due_at_start_minus_offset():
    assert reminder_times(START, [DAY, TWO_HOURS], NOW) == [
        (86400, datetime(2026, 4, 15, 14, 0, tzinfo=UTC)),
        (7200, datetime(2026, 4, 16, 12, 0, tzinfo=UTC)),
    ]


def test_reminders_already_past_are_not_scheduled():
    late = START - timedelta(hours=3)  # registered three hours before the start
    assert reminder_times(START, [DAY, TWO_HOURS], late) == [
        (7200, datetime(2026, 4, 16, 12, 0, tzinfo=UTC))
    ]
    assert reminder_times(START, [DAY], START - timedelta(days=1)) == []


def test_reminder_ids_name_registration_and_offset():
    assert reminder_id("r1", 7200) == "r1|7200"


def test_a_meetup_moved_later_moves_its_pending_reminder():
    later = START + timedelta(days=7)
    assert moved(reminder(DAY), later, NOW) == Move(
        due_at=later - DAY, starts_at=later, status=ReminderStatus.PENDING
    )


def test_a_sent_reminder_is_due_again_for_the_new_time():
    later = START + timedelta(days=7)
    assert moved(reminder(DAY, ReminderStatus.SENT), later, NOW).status is ReminderStatus.PENDING


def test_a_meetup_moved_closer_skips_the_reminders_already_past():
    sooner = NOW + timedelta(hours=5)
    day_before = moved(reminder(DAY), sooner, NOW)
    assert day_before == Move(due_at=sooner - DAY, starts_at=sooner, status=ReminderStatus.SKIPPED)
    two_hours = moved(reminder(TWO_HOURS), sooner, NOW)
    assert two_hours.status is ReminderStatus.PENDING
    assert two_hours.due_at == NOW + timedelta(hours=3)


def test_a_sent_reminder_past_due_for_the_new_time_stays_sent():
    sooner = NOW + timedelta(hours=5)
    assert moved(reminder(DAY, ReminderStatus.SENT), sooner, NOW).status is ReminderStatus.SENT


def test_the_same_start_at_mongodb_precision_is_no_move():
    stored = START.replace(microsecond=123000)
    assert moved(reminder(DAY, start=stored), START.replace(microsecond=123456), NOW) is None


def test_a_due_reminder_of_a_confirmed_registration_is_sent():
    verdict = due_verdict(
        registration_state="confirmed",
        meetup_state="scheduled",
        meetup_starts_at=START,
        at=START - DAY,
    )
    assert verdict is ReminderStatus.SENT


def test_a_due_reminder_without_registration_or_meetup_is_cancelled():
    for registration, meetup, starts in (
        (None, "scheduled", START),
        ("cancelled", "scheduled", START),
        ("waitlisted", "scheduled", START),
        ("confirmed", "cancelled", START),
        ("confirmed", None, None),
    ):
        verdict = due_verdict(
            registration_state=registration,
            meetup_state=meetup,
            meetup_starts_at=starts,
            at=START - DAY,
        )
        assert verdict is ReminderStatus.CANCELLED, (registration, meetup)


def test_a_reminder_found_after_the_start_is_skipped():
    verdict = due_verdict(
        registration_state="confirmed", meetup_state="scheduled", meetup_starts_at=START, at=START
    )
    assert verdict is ReminderStatus.SKIPPED


def test_the_message_cause_names_the_start_so_a_moved_reminder_goes_out_again():
    r = reminder(DAY)
    assert reminder_cause(r) == "reminder:r1|86400:2026-04-16T14:00:00+00:00"
    moved_on = r | {"starts_at": START + DAY}
    assert reminder_cause(moved_on) != reminder_cause(r)


def test_how_far_a_reminder_is_from_the_start():
    assert before_words(DAY) == "завтра"
    assert before_words(timedelta(days=2)) == "через 2 дня"
    assert before_words(timedelta(days=5)) == "через 5 дней"
    assert before_words(TWO_HOURS) == "через 2 часа"
    assert before_words(timedelta(hours=1)) == "через 1 час"
    assert before_words(timedelta(hours=5)) == "через 5 часов"
    assert before_words(timedelta(minutes=30)) == "через 30 мин."
    assert before_words(timedelta(seconds=12)) == "через 1 мин."
