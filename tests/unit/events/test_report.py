"""The practice report's arithmetic (``domain.report``) and a meetup's figures
(``domain.figures``), from records as the repositories load them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nkohub_events.domain.figures import known_names, meetup_figures
from nkohub_events.domain.report import Period, PeriodRecords, practice_report
from nkohub_shared.errors import InvalidInput
from tests.unit.events.conftest import meetup_doc

MARCH = Period(date(2030, 3, 1), date(2030, 3, 31), "Europe/Samara")  # UTC+4


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    """A moment given in Glazov's time (UTC+4), in UTC."""
    return utc(*args) - timedelta(hours=4)


ORGANIZATIONS = [
    {"_id": "org-x", "full_name": "АНО «Икс»", "short_name": None},
    {"_id": "org-y", "full_name": "Благотворительный фонд «Игрек»", "short_name": "Фонд «Игрек»"},
]


def attendance(meetup_id, person, role="ngo_representative", org_id=None, org_name=None):
    return {
        "meetup_id": meetup_id,
        "person_key": person,
        "role": role,
        "organization_id": org_id,
        "organization_name": org_name,
    }


def consultation(given_on, specialty, meetup_id=None, status="completed"):
    return {
        "meetup_id": meetup_id,
        "specialist": {"specialty": specialty},
        "booking": {"status": status, "given_on": given_on},
    }


def records() -> PeriodRecords:
    first = meetup_doc(
        _id="first",
        title="Первый",
        status="completed",
        starts_at=local(2030, 3, 1, 0, 30),  # 28 February in UTC
        program=[{"position": 1, "kind": "ngo_presentation", "organization_id": "org-z"}],
    )
    middle = meetup_doc(
        _id="middle", status="completed", kind="unscheduled_meeting", starts_at=utc(2030, 3, 14, 8)
    )
    last = meetup_doc(
        _id="last",
        status="completed",
        kind="consultation_day",
        starts_at=local(2030, 3, 31, 23, 30),
    )
    cancelled = meetup_doc(_id="cancelled", status="cancelled", starts_at=utc(2030, 3, 20, 8))
    after = meetup_doc(_id="after", status="completed", starts_at=local(2030, 4, 1, 0, 30))
    before = meetup_doc(_id="before", status="completed", starts_at=local(2030, 2, 28, 23, 30))
    return PeriodRecords(
        meetups=[last, cancelled, first, middle, after, before],
        attendances=[
            attendance("first", "p1", org_id="org-x", org_name="АНО «Икс»"),
            attendance("first", "p2", org_name="  ано «ИКС» "),  # the same NGO, typed
            attendance("first", "p3", role="official", org_name="Администрация г. Глазова"),
            attendance("first", "p4", org_name="Клуб «Шахматы»"),  # not in the registry
            attendance("last", "p1", org_id="org-x"),
            attendance("last", "p5", role="activist", org_name="фонд «игрек»"),
            attendance("cancelled", "p6", org_name="АНО «Отменённая»"),
            attendance("after", "p7", org_name="АНО «Апрель»"),
            attendance("before", "p8", org_name="АНО «Февраль»"),
        ],
        consultations=[
            consultation("2030-03-01", "lawyer", "first"),
            consultation("2030-03-31", "accountant"),
            consultation("2030-04-01", "lawyer"),
            consultation("2030-02-28", "lawyer"),
            consultation("2030-03-10", "lawyer", status="no_show"),
        ],
        posts=[
            {"published": True, "published_at": local(2030, 3, 1, 0, 10)},
            {"published": False, "published_at": local(2030, 3, 2, 12, 0)},
            {"published": True, "published_at": local(2030, 4, 1, 0, 10)},
        ],
        views=[
            {"period_start": local(2030, 3, 1, 0, 0), "views": 5},
            {"period_start": utc(2030, 3, 15, 10), "views": 3},
            {"period_start": local(2030, 4, 1, 0, 0), "views": 7},
        ],
        organizations=ORGANIZATIONS,
    )


def test_the_indicators_of_a_period():
    report = practice_report(MARCH, records())
    assert report["from"] == "2030-03-01" and report["to"] == "2030-03-31"
    assert report["indicators"] == {
        "meetups_held": 1,  # «first»; the cancelled one was not held
        "other_meetings_held": 2,  # the unscheduled meeting and the consultation day
        "ngos_took_part": 4,  # Икс (by id and typed), Игрек (typed), Шахматы, org-z (program)
        "participants": 5,
        "attendances": 6,
        "consultations_given": 2,  # on the first and the last day, completed
        "posts_published": 1,
        "post_views": 8,
    }


def test_a_period_holds_the_venues_first_and_last_day():
    assert MARCH.since == utc(2030, 2, 28, 20) and MARCH.until == utc(2030, 3, 31, 20)
    report = practice_report(MARCH, records())
    assert [r["meetup_id"] for r in report["per_meetup"]] == ["first", "middle", "last"]
    assert report["per_meetup"][0]["date"] == "2030-03-01", "the venue's date, not UTC's"
    assert report["per_meetup"][2]["date"] == "2030-03-31"


def test_rows_per_meetup_role_and_specialty():
    report = practice_report(MARCH, records())
    first, middle, last = report["per_meetup"]
    assert first == {
        "meetup_id": "first",
        "title": "Первый",
        "date": "2030-03-01",
        "kind": "meetup",
        "participants": 4,
        "attendances": 4,
        "ngos": 3,  # Икс once, Шахматы, org-z; not the administration
        "consultations": 1,
    }
    assert (middle["attendances"], middle["ngos"], middle["consultations"]) == (0, 0, 0)
    assert (last["participants"], last["ngos"]) == (2, 2)
    assert report["per_role"] == [
        {"role": "activist", "participants": 1, "attendances": 1},
        {"role": "ngo_representative", "participants": 3, "attendances": 4},
        {"role": "official", "participants": 1, "attendances": 1},
    ]
    assert report["per_specialty"] == [
        {"specialty": "accountant", "consultations": 1},
        {"specialty": "lawyer", "consultations": 1},
    ]


def test_an_empty_period():
    report = practice_report(MARCH, PeriodRecords())
    assert set(report["indicators"].values()) == {0}
    assert report["per_meetup"] == report["per_role"] == report["per_specialty"] == []


def test_a_period_runs_forwards_for_at_most_ten_years():
    with pytest.raises(InvalidInput) as caught:
        Period(date(2030, 3, 2), date(2030, 3, 1))
    assert caught.value.field == "to"
    assert Period(date(2030, 3, 1), date(2030, 3, 1)).holds_day(date(2030, 3, 1))
    with pytest.raises(InvalidInput) as caught:
        Period(date(2020, 1, 1), date(2030, 3, 1))
    assert caught.value.field == "to" and "ten years" in caught.value.message


def test_the_figures_of_a_meetup_count_an_ngo_once_however_it_was_named():
    known = known_names(ORGANIZATIONS)
    assert known == {
        "ано «икс»": "org-x",
        "благотворительный фонд «игрек»": "org-y",
        "фонд «игрек»": "org-y",
    }
    present = [
        attendance("m1", "p1", org_id="org-x"),
        attendance("m1", "p2", org_name="АНО «Икс»"),
        attendance("m1", "p3", role="media", org_name="Газета «Красное знамя»"),
        attendance("m1", "p2", org_name="АНО «Икс»"),  # a repeat of a person counts once
    ]
    figures, organization_ids = meetup_figures(
        meetup_doc(program=[{"position": 1, "organization_id": "org-y"}]),
        present,
        consultations=2,
        registrations_confirmed=5,
        no_shows=3,
        known=known,
    )
    assert figures.model_dump() == {
        "participants": 3,
        "attendances": 4,
        "organizations": 2,
        "consultations": 2,
        "registrations_confirmed": 5,
        "no_shows": 3,
    }
    assert organization_ids == ["org-x", "org-y"]
