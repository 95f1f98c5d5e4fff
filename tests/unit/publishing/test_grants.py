"""The grants calendar: windows, deadline reminder marks, days left, months, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkohub_publishing.domain import grants
from nkohub_publishing.domain.catalogues import CompetitionCreate, entry_changes, new_entry
from nkohub_shared.errors import InvalidInput

CLOSES = datetime(2026, 6, 30, 19, 59, tzinfo=UTC)  # 23:59 in Glazov (UTC+4)
MARKS = [14, 3]


def test_reminder_marks():
    due = grants.deadline_marks_due
    assert due(CLOSES, CLOSES - timedelta(days=20), MARKS, []) == []
    assert due(CLOSES, CLOSES - timedelta(days=14), MARKS, []) == [14], "due at the mark"
    assert due(CLOSES, CLOSES - timedelta(days=13), MARKS, []) == [14]
    assert due(CLOSES, CLOSES - timedelta(days=13), MARKS, [14]) == []
    assert due(CLOSES, CLOSES - timedelta(days=2), MARKS, [14]) == [3]
    assert due(CLOSES, CLOSES - timedelta(days=2), MARKS, []) == [3], (
        "a late entry gets the nearest reminder only"
    )
    assert due(CLOSES, CLOSES - timedelta(days=2), MARKS, [3]) == []
    assert due(CLOSES, CLOSES, MARKS, []) == [], "none once closed"
    assert due(CLOSES, CLOSES + timedelta(hours=1), MARKS, []) == []
    assert due(CLOSES, CLOSES - timedelta(days=1), [], []) == []


def test_days_left_counts_local_calendar_days():
    assert grants.days_left(CLOSES, CLOSES - timedelta(days=3)) == 3
    # 23:00 in Glazov on the 29th is still a day before the 30th
    assert grants.days_left(CLOSES, datetime(2026, 6, 29, 19, 0, tzinfo=UTC)) == 1
    # 00:30 in Glazov on the 30th (20:30 UTC on the 29th) is the deadline's day
    assert grants.days_left(CLOSES, datetime(2026, 6, 29, 20, 30, tzinfo=UTC)) == 0
    assert grants.days_left(CLOSES, CLOSES + timedelta(days=5)) == 0, "never negative"


def test_the_window_must_be_in_order():
    opens_late = {"opens_at": CLOSES + timedelta(days=1), "closes_at": CLOSES}
    with pytest.raises(InvalidInput) as opens:
        grants.check_window(opens_late)
    assert opens.value.field == "opens_at"
    with pytest.raises(InvalidInput) as results:
        grants.check_window({"closes_at": CLOSES, "results_at": CLOSES - timedelta(days=1)})
    assert results.value.field == "results_at"
    grants.check_window({"closes_at": CLOSES, "results_at": CLOSES, "opens_at": CLOSES})
    grants.check_window({"closes_at": CLOSES})


def test_a_moved_deadline_is_announced_anew():
    current = {"closes_at": CLOSES}
    assert grants.deadline_moved(current, {"closes_at": CLOSES + timedelta(days=7)})
    assert not grants.deadline_moved(current, {"closes_at": CLOSES})
    assert not grants.deadline_moved(current, {"name": "Другое имя"})
    assert grants.reminder_horizon(MARKS) == timedelta(days=14)
    assert grants.reminder_horizon([]) == timedelta(0)


def test_deadline_reminder_event():
    competition = {
        "_id": "c1",
        "name": "Конкурс ФПГ",
        "operator": "Фонд президентских грантов",
        "closes_at": CLOSES,
        "max_amount": 3_000_000,
    }
    event = grants.deadline_approaching(competition, 3, CLOSES - timedelta(days=2), "https://b.x")
    assert event.type == "publishing.grant.deadline_approaching"
    assert event.data["reminder_days"] == 3 and event.data["days_left"] == 2
    assert event.data["url"] == "https://b.x/grants", "the calendar when it has no page"
    assert event.data["competition_id"] == "c1" and event.data["max_amount"] == 3_000_000
    with_page = {**competition, "url": "https://fpg.example/"}
    own = grants.deadline_approaching(with_page, 14, CLOSES, "")
    assert own.data["url"] == "https://fpg.example/"


def test_calendar_by_local_month():
    june_end = {"closes_at": datetime(2026, 6, 30, 19, 0, tzinfo=UTC)}  # 23:00 on 30 June
    july_first = {"closes_at": datetime(2026, 6, 30, 21, 0, tzinfo=UTC)}  # 01:00 on 1 July
    january = {"closes_at": datetime(2027, 1, 15, 9, 0, tzinfo=UTC)}
    months = grants.by_month([june_end, july_first, january])
    assert [(m["label"], m["anchor"]) for m in months] == [
        ("Июнь 2026", "2026-06"),
        ("Июль 2026", "2026-07"),
        ("Январь 2027", "2027-01"),
    ]
    assert months[1]["competitions"] == [july_first]


def test_entries_store_times_as_times():
    fields = CompetitionCreate(
        name="Конкурс", operator="Фонд", closes_at="2026-06-30T23:59:00+04:00", max_amount=10
    )
    entry = new_entry(fields, "c1", CLOSES)
    assert entry["closes_at"] == CLOSES and isinstance(entry["closes_at"], datetime)
    assert entry["_id"] == "c1" and entry["created_at"] == entry["updated_at"] == CLOSES
    assert "opens_at" not in entry, "unset fields are left out"
    assert entry_changes(fields) == {
        "name": "Конкурс",
        "operator": "Фонд",
        "closes_at": CLOSES,
        "max_amount": 10,
    }
    with pytest.raises(ValueError):
        CompetitionCreate(name="x", operator="y", closes_at="2026-06-30T23:59:00")
