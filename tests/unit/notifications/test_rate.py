"""The rate limiter's arithmetic, on an injected clock."""

from __future__ import annotations

import pytest

from nkohub_notifications.domain.rate import RateLimiter


def test_slots_are_spaced_one_over_the_rate(clock):
    limiter = RateLimiter(5, clock=clock)
    waits = [limiter.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])


def test_time_that_passed_is_not_saved_up_as_a_burst(clock):
    limiter = RateLimiter(5, clock=clock)
    assert limiter.reserve() == 0.0
    clock.advance(10)  # idle for a long time
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == pytest.approx(0.2)


def test_a_caller_that_waited_its_slot_leaves_the_next_one_in_place(clock):
    limiter = RateLimiter(2, clock=clock)
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == pytest.approx(0.5)
    clock.advance(0.5)  # the second caller slept until its slot
    assert limiter.reserve() == pytest.approx(0.5)


def test_no_more_than_rate_plus_one_slots_in_any_second(clock):
    limiter = RateLimiter(5, clock=clock)
    slots = [clock.now + limiter.reserve() for _ in range(20)]
    for start in slots:
        assert sum(start <= s < start + 1.0 for s in slots) <= 5


def test_rate_zero_means_no_limit(clock):
    limiter = RateLimiter(0, clock=clock)
    assert [limiter.reserve() for _ in range(100)] == [0.0] * 100
