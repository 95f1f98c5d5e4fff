"""The cap on mail to one recipient: whatever causes them, at most so many messages of
one template (on one channel) to one recipient per hour and per day, so that a loop in
another service cannot turn this one into a mail cannon. Messages past the cap are
``suppressed`` with the reason; the counts live in MongoDB (shared by every replica)."""

from __future__ import annotations

from typing import Any

from nkohub_shared.limits import Limit

HOUR = 3600
DAY = 86400


def mail_caps(per_hour: int, per_day: int) -> tuple[Limit, ...]:
    return (
        Limit("mail-per-recipient-hour", per_hour, HOUR),
        Limit("mail-per-recipient-day", per_day, DAY),
    )


def cap_key(message: dict[str, Any]) -> str:
    """What a cap counts: one recipient, one kind of message, one channel."""
    return f"{message['channel']}|{message['recipient_key']}|{message['template']}"


def cap_reason(limit: Limit) -> str:
    period = "hour" if limit.per_seconds == HOUR else "day"
    return f"cap reached: more than {limit.count} messages of this kind per {period}"
