"""The history view (counts and dates, no person keys) and who presents at a meetup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from nkohub_contracts.common import MeetupSnapshot, ProgramItem
from nkohub_registry.domain.history import GrantWon, has_happened, history_view, presentations
from tests.support.snapshots import meetup_snapshot

NOW = datetime(2019, 12, 1, tzinfo=UTC)
MAY = datetime(2019, 5, 28, 15, 0, tzinfo=UTC)
JULY = datetime(2019, 7, 11, 15, 0, tzinfo=UTC)


def meetup(starts_at: datetime, program: list[ProgramItem]) -> MeetupSnapshot:
    return meetup_snapshot(
        meetup_id="m1", slug="m1", title="Презентация НКО", starts_at=starts_at, program=program
    )


def test_no_history_is_all_zero() -> None:
    assert history_view(None, [], now=NOW) == {
        "meetups_attended": 0,
        "meetups": [],
        "people_came": 0,
        "presentations_given": 0,
        "presentations": [],
        "consultations_received": 0,
        "last_contact_at": None,
        "grants": [],
        "came": False,
    }


def test_counts_dates_and_the_last_contact() -> None:
    doc = {
        "meetups": {
            "m2": {"title": "Вторая", "starts_at": JULY},
            "m1": {"title": "Первая", "starts_at": MAY},
        },
        "person_keys": ["k1", "k2"],
        "erased_people": 1,
        "presentations": {
            "m1": {"meetup_title": "Первая", "titles": ["Аист"], "starts_at": MAY.isoformat()},
            "m9": {"meetup_title": "Будущая", "titles": ["Аист"], "starts_at": NOW + timedelta(1)},
        },
        "consultations": {"c1": {"specialty": "lawyer", "given_on": "2019-10-03"}},
        "last_attended_at": JULY.replace(tzinfo=None),  # as MongoDB gives it back: naive UTC
    }
    view = history_view(doc, [{"grant_id": "g"}], now=NOW)
    assert view["meetups_attended"] == 2
    assert [m["meetup_id"] for m in view["meetups"]] == ["m1", "m2"]  # by date
    assert view["people_came"] == 3  # two keys and one erased person
    assert view["presentations_given"] == 1  # the future one does not count yet
    assert view["presentations"][0]["meetup_id"] == "m1"
    assert view["consultations_received"] == 1
    assert view["last_contact_at"] == datetime(2019, 10, 3, tzinfo=UTC)
    assert view["grants"] == [{"grant_id": "g"}] and view["came"] is True
    assert "person_keys" not in view and "k1" not in str(view)


def test_only_a_future_presentation_is_not_yet_contact() -> None:
    doc = {"presentations": {"m9": {"titles": ["x"], "starts_at": NOW + timedelta(days=1)}}}
    view = history_view(doc, [], now=NOW)
    assert view["came"] is False and view["last_contact_at"] is None


def test_who_presents_at_a_meetup() -> None:
    program = [
        ProgramItem(position=1, kind="talk", title="Аналитика НКО города"),
        ProgramItem(position=2, kind="ngo_presentation", title="Аист", organization_id="a"),
        ProgramItem(position=3, kind="ngo_presentation", title="Бобр", organization_id="b"),
        ProgramItem(position=4, kind="talk", title="Аист: итоги года", organization_id="a"),
    ]
    snapshot = meetup(MAY, program)
    assert presentations(snapshot) == {
        "a": {
            "meetup_title": "Презентация НКО",
            "titles": ["Аист", "Аист: итоги года"],
            "starts_at": MAY,
        },
        "b": {"meetup_title": "Презентация НКО", "titles": ["Бобр"], "starts_at": MAY},
    }
    assert presentations(meetup(MAY, program[:1])) == {}
    assert has_happened(snapshot, now=MAY) and not has_happened(snapshot, now=MAY - timedelta(1))


def test_a_grant_is_checked_and_stored_with_an_id() -> None:
    grant = GrantWon(
        competition="Конкурс\nпрезидентских грантов",
        foundation="ФПГ",
        year=2019,
        amount=480000,
        project_title="Шахматы во дворах",
    )
    stored = grant.stored()
    assert stored["competition"] == "Конкурс президентских грантов"
    assert len(stored["grant_id"]) == 32 and stored["amount"] == 480000
    for bad in ({"year": 1812}, {"amount": -1}, {"foundation": ""}):
        with pytest.raises(ValidationError):
            GrantWon.model_validate({**grant.model_dump(), **bad})
