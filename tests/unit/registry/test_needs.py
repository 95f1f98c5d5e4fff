"""The needs survey's rules and the arithmetic of the needs report."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from nkohub_registry.domain.needs import NeedsSurvey, needs_report
from nkohub_registry.domain.vocabulary import NEED_LABELS, SPECIALIST_LABELS


def survey(**fields) -> NeedsSurvey:
    return NeedsSurvey.model_validate(
        {"wants_meetups": True, "answered_on": "2019-01-20", **fields}
    )


def test_the_stored_survey_drops_repeats_and_keeps_the_order() -> None:
    stored = survey(needs=["legal", "pr", "legal"], specialists=["lawyer", "lawyer"]).stored()
    assert stored == {
        "needs": ["legal", "pr"],
        "needs_other": None,
        "specialists": ["lawyer"],
        "wants_meetups": True,
        "wants_consultations": True,
        "answered_on": "2019-01-20",
    }


@pytest.mark.parametrize(
    ("specialists", "wants", "expected"),
    [
        ([], None, False),  # no specialist named: no consultation by default
        (["lawyer"], None, True),  # a specialist named: a consultation by default
        (["lawyer"], False, False),  # an explicit answer wins
        ([], True, True),
    ],
)
def test_wanting_consultations_defaults_to_naming_a_specialist(specialists, wants, expected):
    answer = survey(specialists=specialists, wants_consultations=wants)
    assert answer.stored()["wants_consultations"] is expected


@pytest.mark.parametrize(
    "bad",
    [
        {"needs": ["money"]},
        {"specialists": ["astrologer"]},
        {"wants_meetups": None},
        {"answered_on": "вчера"},
        {"needs_other": "x" * 5001},
        {"extra": 1},
    ],
)
def test_a_survey_is_validated(bad) -> None:
    with pytest.raises(ValidationError) as refused:
        survey(**bad)
    assert refused.value.errors()[0]["loc"][0] == next(iter(bad))
    assert survey().answered_on == date(2019, 1, 20)


def test_shares_are_of_the_organizations_that_answered() -> None:
    answers = [
        survey(needs=["legal", "reporting"], specialists=["lawyer"]).stored(),
        survey(needs=["legal"], wants_meetups=False).stored(),
        survey(needs=["premises"], specialists=["tax_inspector", "lawyer"]).stored(),
    ]
    report = needs_report(answers, organizations_total=10)
    assert report["organizations_total"] == 10 and report["answered"] == 3
    needs = {row["code"]: row for row in report["needs"]}
    assert list(needs) == list(NEED_LABELS)  # every need, in the vocabulary's order
    assert needs["legal"] == {
        "code": "legal",
        "label": "юридическая помощь",
        "count": 2,
        "share": 0.6667,  # 2/3, four decimals
    }
    assert needs["premises"]["share"] == 0.3333 and needs["grants"]["count"] == 0
    specialists = {row["code"]: row for row in report["specialists"]}
    assert list(specialists) == list(SPECIALIST_LABELS)
    assert specialists["lawyer"]["count"] == 2 and specialists["economist"]["share"] == 0.0
    assert report["wants_meetups"] == {"count": 2, "share": 0.6667}
    assert report["wants_consultations"] == {"count": 2, "share": 0.6667}


def test_a_report_with_no_answers_has_zero_shares() -> None:
    report = needs_report([], organizations_total=4)
    assert report["answered"] == 0
    assert all(row["count"] == 0 and row["share"] == 0.0 for row in report["needs"])
    assert report["wants_meetups"] == {"count": 0, "share": 0.0}
