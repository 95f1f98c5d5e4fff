"""The arithmetic of a rate limit's windows."""

from __future__ import annotations

from datetime import UTC, datetime

from nkohub_shared.limits import Limit, RateLimited


def test_windows_start_on_their_boundary_and_say_when_the_next_opens():
    hourly = Limit("mail-per-address", count=3, per_seconds=3600)
    at = datetime(2026, 11, 30, 10, 59, 30, tzinfo=UTC)
    assert hourly.window_start(at) == int(datetime(2026, 11, 30, 10, tzinfo=UTC).timestamp())
    assert hourly.retry_after(at) == 30
    assert hourly.retry_after(datetime(2026, 11, 30, 11, tzinfo=UTC)) == 3600


def test_the_refusal_carries_its_retry_after():
    refused = RateLimited("Слишком много попыток", retry_after=42, field="email")
    assert (refused.status_code, refused.code, refused.field) == (429, "rate_limited", "email")
    assert refused.details == {"retry_after": 42}
