"""The example subscriber: a standalone project on the contracts and FastStream only, whose
store handles each event once and never assumes an order."""

from __future__ import annotations

import ast
import sys
import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from nkohub_contracts import decode, new_event
from nkohub_contracts.common import MeetupSnapshot, Venue
from nkohub_contracts.events import (
    AttendanceRecorded,
    MeetupCompleted,
    MeetupFigures,
    MeetupScheduled,
    MeetupUpdated,
)
from tests.contracts.example import EXAMPLE

from meetup_subscriber.settings import parse_replay_from  # isort: skip
from meetup_subscriber.store import Store  # isort: skip

START = datetime(2026, 3, 28, 14, 0, tzinfo=UTC)


def test_the_example_depends_only_on_the_contracts_and_faststream():
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dependencies"] == [
        "nkohub-contracts>=1.0,<2",
        "faststream[rabbit]>=0.7,<0.8",
    ]
    assert project["tool"]["uv"]["sources"] == {"nkohub-contracts": {"path": "../../contracts"}}
    allowed = set(sys.stdlib_module_names) | {
        "__future__",
        "faststream",
        "nkohub_contracts",
        "meetup_subscriber",
    }
    for path in sorted((EXAMPLE / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def _snapshot(sequence: int = 0, title: str = "Открытое общение") -> MeetupSnapshot:
    return MeetupSnapshot(
        meetup_id="m1",
        slug="m1",
        title=title,
        kind="meetup",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        venue=Venue(name="ПНБ"),
        capacity=65,
        sequence=sequence,
    )


def _attendance(i: int, org: str | None = None) -> AttendanceRecorded:
    return AttendanceRecorded(
        attendance_id=f"a{i}",
        meetup_id="m1",
        meetup_title="Открытое общение",
        meetup_starts_at=START,
        person_key=f"person-{i % 3}",
        role="ngo_representative",
        organization_id=org,
        checked_in_at=START,
    )


def _decoded(data):
    return decode(new_event(data).model_dump_json())


def test_each_event_counts_once_in_whatever_order_it_comes(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    completed = MeetupCompleted(
        meetup=_snapshot(sequence=2, title="Открытое общение: итоги"),
        figures=MeetupFigures(
            participants=3,
            attendances=4,
            organizations=1,
            consultations=0,
            registrations_confirmed=4,
            no_shows=0,
        ),
    )
    attendance = [_decoded(_attendance(i, org="o1" if i < 2 else None)) for i in range(4)]
    # attendance before the meetup is known, the completion before the older update
    for event in attendance:
        assert store.handle(event, "live") is None
    assert store.handle(_decoded(completed), "history") is None
    assert (
        store.handle(_decoded(MeetupUpdated(meetup=_snapshot(1), changed=["title"])), "live")
        is None
    )
    assert store.handle(_decoded(MeetupScheduled(meetup=_snapshot(0))), "live") is None
    # the same events again, either way
    assert store.handle(attendance[0], "history") == "live"
    assert store.handle(attendance[0], "live") == "live"
    assert store.duplicates == 2

    (figures,) = store.attendance_per_meetup().values()
    assert (figures.title, figures.status, figures.reported_participants) == (
        "Открытое общение: итоги",
        "completed",
        3,
    )
    assert (figures.attendances, figures.participants, figures.organizations) == (4, 3, 1)


def test_the_replay_keeps_its_next_offset_with_the_event(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert store.replay() is None
    assert store.begin_replay("first").next_offset is None
    store.handle(_decoded(_attendance(1)), "history", next_offset=8)
    store.advance_replay(9)
    assert store.begin_replay("offset:3").started_from == "first", "begun once"
    store.close()
    again = Store(tmp_path / "s.sqlite3")
    state = again.replay()
    assert state is not None and (state.next_offset, state.done_at) == (9, None)
    again.finish_replay()
    assert again.replay().done_at is not None


def test_where_a_replay_starts_is_read_from_the_setting():
    assert parse_replay_from(None) is None and parse_replay_from("") is None
    assert parse_replay_from("beginning") == "first"
    assert parse_replay_from("1200") == 1200
    assert parse_replay_from("2026-01-01T00:00:00+04:00") == datetime.fromisoformat(
        "2026-01-01T00:00:00+04:00"
    )
    with pytest.raises(ValueError, match="give the time zone"):
        parse_replay_from("2026-01-01T00:00:00")
    with pytest.raises(ValueError, match="use first, an offset or an ISO time"):
        parse_replay_from("yesterday")


def test_an_erased_person_leaves_the_counts_but_not_her_key(tmp_path):
    from nkohub_contracts.registry import PersonErased

    store = Store(tmp_path / "s.sqlite3")
    for i in (1, 2, 4):  # person-1 twice (a1, a4), person-2 once
        store.handle(_decoded(_attendance(i)), "live")
    store.handle(_decoded(PersonErased(person_id="p", person_keys=["person-1"])), "live")
    keys = {row[0] for row in store._db.execute("SELECT person_key FROM attendance")}
    assert keys == {"erased:a1", "erased:a4", "person-2"}
    (figures,) = store.attendance_per_meetup().values()
    assert figures.attendances == 3
