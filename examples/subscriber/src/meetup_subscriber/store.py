"""The subscriber's own store: SQLite, one file.

Every event is handled in one transaction that first records its id in ``handled``: an
event seen again (a redelivery, the same event read from the history and from the live
queue) finds its id there and changes nothing. The replay's progress (the next offset of
the history stream to read) is kept here too, so an interrupted replay resumes where it
stopped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nkohub_contracts import Decoded, IntegrationEvent
from nkohub_contracts.events import (
    AttendanceRecorded,
    MeetupCancelled,
    MeetupCompleted,
    MeetupScheduled,
    MeetupUpdated,
)
from nkohub_contracts.registry import PersonErased

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    via TEXT NOT NULL,              -- live | history
    handled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meetups (
    meetup_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    status TEXT NOT NULL,           -- scheduled | completed | cancelled
    sequence INTEGER NOT NULL,      -- the snapshot's: the newest wins
    reported_participants INTEGER   -- the platform's own figure, once completed
);
CREATE TABLE IF NOT EXISTS attendance (
    attendance_id TEXT PRIMARY KEY,
    meetup_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    role TEXT NOT NULL,
    organization_id TEXT
);
CREATE TABLE IF NOT EXISTS replay (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_from TEXT NOT NULL,
    next_offset INTEGER,            -- the next stream offset to read; NULL before the first
    done_at TEXT                    -- set when the replay met the live queue
);
"""

STATUS_OF = {
    MeetupScheduled: "scheduled",
    MeetupUpdated: "scheduled",
    MeetupCompleted: "completed",
    MeetupCancelled: "cancelled",
}
FINAL = ("completed", "cancelled")


@dataclass(frozen=True)
class MeetupFigures:
    meetup_id: str
    title: str
    starts_at: str
    status: str
    attendances: int  # attendance records
    participants: int  # distinct people
    organizations: int  # distinct organizations of the people who came
    reported_participants: int | None  # what the platform reported when it completed


@dataclass(frozen=True)
class ReplayState:
    started_from: str
    next_offset: int | None
    done_at: str | None


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self.duplicates = 0  # events recognised as already handled, since this process started

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- handling ------------------------------------------------------------------------

    def handle(
        self, event: Decoded[IntegrationEvent], via: str, *, next_offset: int | None = None
    ) -> str | None:
        """Apply an event once. Returns None when it was applied now; for an event handled
        before, how it came then (``live`` or ``history``), and nothing changes.
        ``next_offset`` (a replay's progress) is stored in the same transaction."""
        with self._transaction() as db:
            if next_offset is not None:
                db.execute("UPDATE replay SET next_offset = ? WHERE id = 1", (next_offset,))
            before = db.execute(
                "SELECT via FROM handled WHERE event_id = ?", (event.id,)
            ).fetchone()
            if before is not None:
                self.duplicates += 1
                return str(before[0])
            db.execute(
                "INSERT INTO handled VALUES (?, ?, ?, ?)", (event.id, event.type, via, _now())
            )
            _apply(db, event.data)
            return None

    # --- the replay's progress -----------------------------------------------------------

    def replay(self) -> ReplayState | None:
        row = self._db.execute(
            "SELECT started_from, next_offset, done_at FROM replay WHERE id = 1"
        ).fetchone()
        return ReplayState(*row) if row else None

    def begin_replay(self, started_from: str) -> ReplayState:
        self._db.execute(
            "INSERT OR IGNORE INTO replay (id, started_from) VALUES (1, ?)", (started_from,)
        )
        state = self.replay()
        assert state is not None
        return state

    def advance_replay(self, next_offset: int) -> None:
        self._db.execute("UPDATE replay SET next_offset = ? WHERE id = 1", (next_offset,))

    def finish_replay(self) -> None:
        self._db.execute("UPDATE replay SET done_at = ? WHERE id = 1", (_now(),))

    # --- what the subscriber is for --------------------------------------------------------

    def attendance_per_meetup(self) -> dict[str, MeetupFigures]:
        rows = self._db.execute(
            """
            SELECT m.meetup_id, m.title, m.starts_at, m.status,
                   COUNT(a.attendance_id), COUNT(DISTINCT a.person_key),
                   COUNT(DISTINCT a.organization_id), m.reported_participants
            FROM meetups m LEFT JOIN attendance a ON a.meetup_id = m.meetup_id
            GROUP BY m.meetup_id ORDER BY m.starts_at, m.meetup_id
            """
        ).fetchall()
        return {row[0]: MeetupFigures(*row) for row in rows}


def _apply(db: sqlite3.Connection, data: IntegrationEvent) -> None:
    if isinstance(data, PersonErased):
        # one erased key per attendance: the counts stay, the person cannot be followed
        db.executemany(
            "UPDATE attendance SET person_key = 'erased:' || attendance_id WHERE person_key = ?",
            [(key,) for key in data.person_keys],
        )
        return
    if isinstance(data, AttendanceRecorded):
        db.execute(
            "INSERT OR IGNORE INTO attendance VALUES (?, ?, ?, ?, ?)",
            (
                data.attendance_id,
                data.meetup_id,
                data.person_key,
                data.role,
                data.organization_id,
            ),
        )
        # The meetup's own event may come later (events of different meetups and
        # attendances carry no order): keep what the attendance tells until it does.
        db.execute(
            "INSERT OR IGNORE INTO meetups VALUES (?, ?, ?, 'scheduled', -1, NULL)",
            (data.meetup_id, data.meetup_title, data.meetup_starts_at.isoformat()),
        )
        return
    status = STATUS_OF.get(type(data))
    if status is None:
        return  # a type this subscriber does not bind to (read from the history)
    meetup = data.meetup  # type: ignore[attr-defined]
    reported = data.figures.participants if isinstance(data, MeetupCompleted) else None
    db.execute(
        """
        INSERT INTO meetups VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (meetup_id) DO UPDATE SET
            title = CASE WHEN excluded.sequence >= sequence THEN excluded.title ELSE title END,
            starts_at = CASE WHEN excluded.sequence >= sequence
                             THEN excluded.starts_at ELSE starts_at END,
            sequence = MAX(sequence, excluded.sequence),
            status = CASE WHEN status IN ('completed', 'cancelled') THEN status
                          ELSE excluded.status END,
            reported_participants = COALESCE(excluded.reported_participants,
                                             reported_participants)
        """,
        (
            meetup.meetup_id,
            meetup.title,
            meetup.starts_at.isoformat(),
            status,
            meetup.sequence,
            reported,
        ),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
