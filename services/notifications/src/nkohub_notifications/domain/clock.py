"""The one clock of the domain rules (UTC, aware); rules take ``at`` to be testable."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def same_moment(a: datetime, b: datetime) -> bool:
    """Equal at MongoDB's precision (milliseconds): a stored time read back may differ
    from the one in an event by the microseconds MongoDB dropped."""
    return _ms(a) == _ms(b)


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
