"""The sending rate's arithmetic: evenly spaced slots on the epoch."""

from __future__ import annotations

import math

from nkohub_notifications.domain.rate import Pace


def test_slots_are_spaced_one_over_the_rate():
    pace = Pace(5)
    assert [pace.start_of(n) for n in range(100, 105)] == [20.0, 20.2, 20.4, 20.6, 20.8]


def test_a_moment_falls_in_the_slot_that_started_at_or_before_it():
    pace = Pace(4)
    assert pace.slot_at(10.0) == 40
    assert pace.slot_at(10.24) == 40
    assert pace.slot_at(10.25) == 41
    assert pace.start_of(pace.slot_at(10.24)) <= 10.24


def test_no_more_than_ceil_rate_slots_start_in_any_second():
    for rate in (0.5, 2.5, 5, 20):
        pace = Pace(rate)
        starts = [pace.start_of(n) for n in range(1000, 1200)]
        for first in starts:
            inside = sum(first <= s < first + 1.0 for s in starts)
            assert inside <= math.ceil(rate), (rate, inside)


def test_a_changed_rate_is_a_line_of_its_own():
    assert Pace(20).line("email") == "email@20"
    assert Pace(2.5).line("email") == "email@2.5"
    assert not Pace(0).limited and Pace(0.1).limited
