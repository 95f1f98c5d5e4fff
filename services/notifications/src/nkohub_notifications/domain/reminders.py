"""Reminders: one per confirmed registration and offset, due at ``start − offset``.

A reminder is ``pending`` until the scheduler queues its message (``sent``); it is
``cancelled`` with its registration or meetup, and ``skipped`` when its time passed
while it could not be sent (the meetup moved closer). When the meetup moves, every
reminder not cancelled follows it: due again at the new ``start − offset`` if that is
still ahead (a sent one too: it told the old time), else skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from nkohub_notifications.domain.clock import same_moment
from nkohub_notifications.domain.readmodel import MeetupState, RegistrationState


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # its time passed while it could not be sent (meetup moved closer)


# Reminders that follow their meetup when it moves.
MOVABLE = (ReminderStatus.PENDING, ReminderStatus.SENT, ReminderStatus.SKIPPED)


def reminder_times(
    starts_at: datetime, offsets: list[timedelta], at: datetime
) -> list[tuple[int, datetime]]:
    """``(offset seconds, due time)`` of the reminders still ahead of ``at``."""
    result = []
    for offset in offsets:
        due = starts_at - offset
        if due > at:
            result.append((int(offset.total_seconds()), due))
    return result


def reminder_id(registration_id: str, offset_seconds: int) -> str:
    return f"{registration_id}|{offset_seconds}"


def reminder_document(
    *,
    registration_id: str,
    meetup_id: str,
    person_key: str,
    offset_seconds: int,
    due_at: datetime,
    starts_at: datetime,
    at: datetime,
) -> dict[str, Any]:
    return {
        "registration_id": registration_id,
        "meetup_id": meetup_id,
        "person_key": person_key,
        "offset_seconds": offset_seconds,
        "due_at": due_at,
        "starts_at": starts_at,
        "status": ReminderStatus.PENDING.value,
        "created_at": at,
    }


@dataclass(frozen=True)
class Move:
    """A reminder's new schedule after its meetup moved."""

    due_at: datetime
    starts_at: datetime
    status: ReminderStatus


def moved(reminder: dict[str, Any], starts_at: datetime, at: datetime) -> Move | None:
    """The reminder's schedule for a meetup now starting at ``starts_at``; ``None`` when it
    already is for that start. Due again if the new due time is ahead; otherwise a
    pending one is skipped and a sent or skipped one stays as it is."""
    if same_moment(reminder["starts_at"], starts_at):
        return None
    due = starts_at - timedelta(seconds=reminder["offset_seconds"])
    if due > at:
        status = ReminderStatus.PENDING
    elif reminder["status"] == ReminderStatus.PENDING:
        status = ReminderStatus.SKIPPED
    else:
        status = ReminderStatus(reminder["status"])
    return Move(due_at=due, starts_at=starts_at, status=status)


def due_verdict(
    *,
    registration_state: str | None,
    meetup_state: str | None,
    meetup_starts_at: datetime | None,
    at: datetime,
) -> ReminderStatus:
    """What a due reminder becomes: ``sent`` (queue its message), ``cancelled`` (the
    registration or meetup is gone) or ``skipped`` (the meetup has begun)."""
    if registration_state != RegistrationState.CONFIRMED or meetup_starts_at is None:
        return ReminderStatus.CANCELLED
    if meetup_state == MeetupState.CANCELLED:
        return ReminderStatus.CANCELLED
    if at >= meetup_starts_at:
        return ReminderStatus.SKIPPED
    return ReminderStatus.SENT


def reminder_cause(reminder: dict[str, Any]) -> str:
    """The message's cause: one message per reminder and start time, so a reminder that
    moved with its meetup goes out again for the new time, and only once."""
    return f"reminder:{reminder['_id']}:{reminder['starts_at'].isoformat()}"
