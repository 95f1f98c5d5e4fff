"""Settings from the environment (prefix ``MEETUPS_``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

# The event types this subscriber binds its queue to.
from nkohub_contracts.events import (
    AttendanceRecorded,
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_contracts.registry import PersonErased

# PersonErased: a person asked to be forgotten (152-ФЗ); the attendance keeps its count,
# not her key.
WANTED = (
    MeetupScheduled,
    MeetupUpdated,
    MeetupCancelled,
    MeetupCompleted,
    AttendanceRecorded,
    PersonErased,
)

ReplayFrom = str | int | datetime  # "first", an offset, or a time


def parse_replay_from(text: str | None) -> ReplayFrom | None:
    """``first`` (or ``beginning``), an offset (``1200``) or an ISO time
    (``2026-01-01T00:00:00+04:00``); empty: no replay."""
    if not text:
        return None
    if text in ("first", "beginning"):
        return "first"
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"MEETUPS_REPLAY_FROM={text!r}: use first, an offset or an ISO time"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"MEETUPS_REPLAY_FROM={text!r}: give the time zone (+04:00, Z)")
    return moment


@dataclass(frozen=True)
class Settings:
    amqp_url: str = "amqp://guest:guest@localhost:5672/"
    queue: str = "volunteer-centre.meetups"  # <your service>.<purpose>: yours alone
    database: str = "meetups.sqlite3"
    replay_from: ReplayFrom | None = None  # where a first start reads the history from
    delivery_limit: int = 5  # deliveries of a message before it is dead-lettered
    prefetch: int = 20
    wanted: tuple[type, ...] = field(default=WANTED)

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        return cls(
            amqp_url=env.get("MEETUPS_AMQP_URL", cls.amqp_url),
            queue=env.get("MEETUPS_QUEUE", cls.queue),
            database=env.get("MEETUPS_DATABASE", cls.database),
            replay_from=parse_replay_from(env.get("MEETUPS_REPLAY_FROM")),
            delivery_limit=int(env.get("MEETUPS_DELIVERY_LIMIT", cls.delivery_limit)),
            prefetch=int(env.get("MEETUPS_PREFETCH", cls.prefetch)),
        )

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dead-letter"
