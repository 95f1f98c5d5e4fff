"""The console's pure rules: the lockout policy, password rules, chart scaling, the
meetup form's translation, door codes, the report's comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nkohub_console.domain.accounts import password_problem
from nkohub_console.domain.charts import Series, bar_chart, nice_scale
from nkohub_console.domain.door import clean_code, walk_in_sheet
from nkohub_console.domain.forms import from_refusal
from nkohub_console.domain.history import who_did_what
from nkohub_console.domain.lockout import LockoutPolicy, LoginGate, after_failure, wait_message
from nkohub_console.domain.meetup_form import (
    copy_start,
    form_field,
    form_of,
    meetup_fields,
    program_count,
)
from nkohub_console.domain.posts import auto_drafted
from nkohub_console.domain.report import ComparedRow, Period, compared, specialty_series
from nkohub_console.domain.sessions import SessionPolicy, same_token, token_digest
from nkohub_shared.errors import InvalidInput

NOW = datetime(2030, 3, 28, 12, 0, tzinfo=UTC)


# -- lockout ------------------------------------------------------------------------------


def test_failures_are_free_then_slowed_doubling_then_locked():
    policy = LockoutPolicy(free_failures=3, lock_failures=10, lock_minutes=15)
    delays = [policy.delay_after(n).total_seconds() for n in range(1, 11)]
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 32, 900]
    assert not policy.locked(9) and policy.locked(10) and policy.locked(11)


def test_the_delay_is_capped_at_a_minute_before_the_lock():
    policy = LockoutPolicy(free_failures=1, lock_failures=50)
    assert policy.delay_after(20) == timedelta(seconds=60)


def test_a_gate_says_how_long_to_wait_in_whole_seconds():
    policy = LockoutPolicy(free_failures=3)
    assert after_failure(policy, 2, NOW) == LoginGate(failures=2, blocked_until=None)
    gate = after_failure(policy, 5, NOW)
    assert gate.blocked_until == NOW + timedelta(seconds=2)
    assert gate.wait(NOW) == 2
    assert gate.wait(NOW + timedelta(milliseconds=1500)) == 1
    assert gate.wait(NOW + timedelta(seconds=2)) == 0
    assert LoginGate(0, None).wait(NOW) == 0


def test_the_refusals_are_russian_and_name_the_wait():
    assert wait_message(7, False) == "Слишком много неудачных попыток. Попробуйте снова через 7 с."
    assert "закрыт на 15 мин" in wait_message(900, True)
    assert "закрыт на 1 мин" in wait_message(5, True)


# -- passwords and sessions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "не короче 10 символов"),
        ("x" * 201, "не длиннее 200 символов"),
        ("1234567890", "слишком простой: его подберут первым"),
        ("aaaaaaaaaaaa", "слишком простой: его подберут первым"),
        ("библиотека", "слишком простой: его подберут первым"),
        ("olga.petrova-2030", "не должен повторять имя или адрес"),
        ("читальный-зал-2019", None),
    ],
)
def test_password_rules(password, problem):
    assert password_problem(password, email="olga.petrova@library.ru", name="Ольга") == problem


def test_a_password_equal_to_the_name_is_refused():
    name = "Ольга Петровна Иванова"
    assert password_problem(name, name=name) == "не должен повторять имя или адрес"


def test_sessions_end_by_age_and_by_idleness():
    policy = SessionPolicy(hours=10, idle_minutes=120)
    session = policy.new_session("token", "acc", NOW)
    assert session["_id"] == token_digest("token") != "token"
    assert len(session["csrf"]) >= 40
    assert policy.alive(session, NOW + timedelta(minutes=119))
    assert not policy.alive(session, NOW + timedelta(minutes=121))
    touched = {**session, "seen_at": NOW + timedelta(hours=9, minutes=50)}
    assert policy.alive(touched, NOW + timedelta(hours=9, minutes=59))
    assert not policy.alive(touched, NOW + timedelta(hours=10))
    assert not policy.worth_touching(session, NOW + timedelta(seconds=59))
    assert policy.worth_touching(session, NOW + timedelta(seconds=60))


def test_tokens_compare_only_when_both_are_there():
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd")
    assert not same_token(None, None) and not same_token("", "") and not same_token("abc", None)


# -- charts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [
        (0, 5, 1),
        (1, 1, 1),
        (4, 4, 1),
        (7, 8, 2),
        (15, 15, 5),
        (23, 25, 5),
        (65, 80, 20),
        (200, 200, 50),
        (260, 300, 100),
        (1953, 2000, 500),
        (0.4, 0.4, 0.1),
    ],
)
def test_nice_scale(largest, top, step):
    scale = nice_scale(largest)
    assert (scale.top, scale.step) == (top, step)
    assert scale.top >= largest
    assert scale.ticks[0] == 0 and scale.ticks[-1] == scale.top


def test_bars_are_scaled_to_the_axis_and_grouped():
    chart = bar_chart(
        "Участники", ["28.03", "28.05"], [Series("2019", [40, 20]), Series("2020", [10, 0])]
    )
    assert len(chart.bars) == 4
    bottom = chart.plot_bottom
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.value == 40 and tallest.y == chart.plot_top  # the axis top is 40
    assert tallest.y + tallest.height == bottom
    half = next(b for b in chart.bars if b.value == 20)
    assert half.height == pytest.approx(tallest.height / 2)
    zero = next(b for b in chart.bars if b.value == 0)
    assert zero.height == 0 and zero.y == bottom
    first_group = [b.x for b in chart.bars if b.label == "28.03"]
    second_group = [b.x for b in chart.bars if b.label == "28.05"]
    assert max(first_group) < min(second_group)
    assert [name for name, _ in chart.legend] == ["2019", "2020"]
    assert [t.text for t in chart.ticks] == ["0", "10", "20", "30", "40"]


def test_an_empty_chart_says_so():
    assert bar_chart("x", [], [Series("2019", [])]).empty
    assert bar_chart("x", ["a"], [Series("2019", [0])]).empty
    assert not bar_chart("x", ["a"], [Series("2019", [1])]).empty


# -- the meetup form ----------------------------------------------------------------------


def test_the_form_becomes_the_services_fields():
    form = {
        "title": " Митап ",
        "kind": "meetup",
        "starts_at": "2030-03-28T15:00",
        "ends_at": "2030-03-28T17:00",
        "venue_name": "Библиотека",
        "hall_capacity": "65",
        "capacity": "60",
        "reserved_seats": "",
        "topics": "гранты, , отчётность",
        "program-1-title": "Второй",
        "program-1-kind": "qa_session",
        "program-0-title": "Первый",
        "program-0-starts_at": "2030-03-28T15:10",
        "program-2-title": "",
        "program-2-speaker_name": "никто",
    }
    fields, errors = meetup_fields(form)
    assert not errors
    assert fields["title"] == "Митап" and fields["capacity"] == 60 and fields["reserved_seats"] == 0
    assert fields["venue"] == {"name": "Библиотека", "hall_capacity": 65}
    assert fields["topics"] == ["гранты", "отчётность"]
    assert fields["waitlist_enabled"] is False
    assert fields["program"] == [
        {"kind": "talk", "title": "Первый", "starts_at": "2030-03-28T15:10"},
        {"kind": "qa_session", "title": "Второй"},
    ]
    assert "registration_opens_at" not in fields


def test_the_form_names_what_is_missing_or_malformed():
    _, errors = meetup_fields({"capacity": "много", "starts_at": "завтра"})
    assert errors.fields == {
        "starts_at": "дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ",
        "capacity": "нужно целое число",
        "title": "обязательное поле",
        "ends_at": "обязательное поле",
        "venue_name": "обязательное поле",
    }


def test_a_patch_clears_the_registration_window():
    form = {"title": "М", "starts_at": "2030-03-28T15:00", "ends_at": "2030-03-28T17:00"}
    fields, _ = meetup_fields({**form, "venue_name": "Б", "capacity": "5"}, for_patch=True)
    assert fields["registration_opens_at"] is None and fields["registration_closes_at"] is None


def test_service_fields_map_to_form_fields():
    assert form_field("venue.name") == "venue_name"
    assert form_field("program.2.starts_at") == "program-2-starts_at"
    assert form_field("capacity") == "capacity"
    errors = from_refusal(
        "program.0.starts_at",
        "program item 1 starts outside the meetup",
        aliases={"program.0.starts_at": "program-0-starts_at"},
    )
    assert errors.fields == {"program-0-starts_at": "program item 1 starts outside the meetup"}
    listed = from_refusal(
        "title", "invalid", [{"field": "title", "message": "Field required"}], aliases={}
    )
    assert listed.fields == {"title": "обязательное поле"}
    assert from_refusal(None, "нет мест").general == ["нет мест"]


def test_a_stored_meetup_fills_the_form_in_its_local_time():
    stored = {
        "title": "М",
        "timezone": "Europe/Samara",
        "starts_at": "2030-03-28T11:00:00Z",
        "ends_at": "2030-03-28T13:00:00+00:00",
        "venue": {"name": "Б"},
        "capacity": 60,
        "program": [{"kind": "talk", "title": "П", "starts_at": "2030-03-28T11:10:00+00:00"}],
    }
    form = form_of(stored)
    assert form["starts_at"] == "2030-03-28T15:00" and form["ends_at"] == "2030-03-28T17:00"
    assert form["program-0-starts_at"] == "2030-03-28T15:10"
    assert form["registration_opens_at"] == ""
    assert program_count(form) == 1 + 3


def test_a_copy_starts_at_the_venues_time_with_its_offset():
    assert copy_start("2030-03-28", "15:00") == "2030-03-28T15:00:00+04:00"
    assert copy_start("2030-12-01", "") == "2030-12-01T15:00:00+04:00"
    assert copy_start("2030-07-01", "10:30", "Europe/Moscow") == "2030-07-01T10:30:00+03:00"
    with pytest.raises(ValueError):
        copy_start("", "15:00")


# -- the door, posts, history, report -------------------------------------------------------


def test_door_codes_are_cleaned():
    assert clean_code(" ab c-d2 e ") == "ABCD2E"
    assert clean_code("https://events/ticket?code=abcd2e") == "ABCD2E"
    with pytest.raises(InvalidInput) as refused:
        clean_code("12")
    assert refused.value.field == "short_code"


def test_a_walk_in_is_a_one_line_sheet():
    sheet = walk_in_sheet("Иван  Петров", "активист", "=HYPERLINK()", "")
    assert sheet.decode().splitlines() == [
        "имя;роль;организация;контакт",
        "Иван Петров;активист;'=HYPERLINK();",
    ]
    with pytest.raises(InvalidInput):
        walk_in_sheet(" ", "активист", "", "")


def test_auto_drafted_posts_are_the_meetup_drafts():
    draft = {"id": "meetup-abc-report", "status": "draft", "category": "meetup-reports"}
    assert auto_drafted(draft)
    assert not auto_drafted({**draft, "status": "published"})
    assert not auto_drafted({**draft, "id": "p1"})
    assert not auto_drafted({**draft, "category": "ngo-news"})


def test_who_did_what_names_the_accounts_newest_first():
    entries = [
        {"at": "2030-03-01T10:00:00+00:00", "actor": "a1", "action": "created"},
        {"at": "2030-03-02T10:00:00+00:00", "actor": "cli-script", "action": "published"},
    ]
    assert who_did_what(entries, {"a1": "Ольга"}) == [
        {"at": "2030-03-02T10:00:00+00:00", "actor": "cli-script", "action": "опубликовал(а)"},
        {"at": "2030-03-01T10:00:00+00:00", "actor": "Ольга", "action": "создал(а)"},
    ]


def test_a_period_and_the_year_before():
    year = Period.year(2020)
    assert year.label == "2020 год"
    assert year.before() == Period.year(2019)
    leap = Period(date(2020, 2, 29), date(2020, 3, 10))
    assert leap.before() == Period(date(2019, 2, 28), date(2019, 3, 10))
    assert leap.label == "29.02.2020 — 10.03.2020"
    months = Period(date(2019, 11, 15), date(2020, 1, 10)).months()
    assert months == [
        Period(date(2019, 11, 15), date(2019, 11, 30)),
        Period(date(2019, 12, 1), date(2019, 12, 31)),
        Period(date(2020, 1, 1), date(2020, 1, 10)),
    ]
    assert len(year.months()) == 12


def test_the_results_table_beside_the_year_before():
    rows = compared(
        {"meetups_held": 5, "participants": 200, "post_views": 1953},
        {"meetups_held": 6, "participants": 180},
    )
    by_key = {r.key: r for r in rows}
    assert by_key["meetups_held"].change == "−1"
    assert by_key["participants"].change == "+20"
    assert by_key["post_views"] == ComparedRow("post_views", "Просмотров блога", 1953, 0)
    assert by_key["consultations_given"].change == "0"
    assert compared({"meetups_held": 5}, None)[0].change == "—"
    assert [r.key for r in rows][:3] == ["meetups_held", "other_meetings_held", "ngos_took_part"]


def test_specialties_of_both_periods():
    keys, mine, theirs = specialty_series(
        [{"specialty": "lawyer", "consultations": 3}],
        [
            {"specialty": "accountant", "consultations": 2},
            {"specialty": "lawyer", "consultations": 1},
        ],
    )
    assert (keys, mine, theirs) == (["accountant", "lawyer"], [0, 3], [2, 1])


def test_saving_the_program_keeps_what_the_form_does_not_edit() -> None:
    """The item's organization and the speaker's person key travel through the form
    unseen; the key is kept only while the speaker's name is unchanged."""
    stored = {
        "title": "Встреча",
        "starts_at": "2026-12-10T15:00:00+04:00",
        "program": [
            {
                "title": "Доклад",
                "speaker_name": "Иванова",
                "speaker_person_key": "pk-1",
                "organization_id": "org-1",
            },
            {"title": "Вопросы", "speaker_name": "Петров", "speaker_person_key": "pk-2"},
        ],
    }
    form = form_of(stored)
    form["program-1-speaker_name"] = "Сидоров"  # another speaker now
    fields, _ = meetup_fields(form, for_patch=True)
    assert fields["program"] == [
        {
            "kind": "talk",
            "title": "Доклад",
            "speaker_name": "Иванова",
            "organization_id": "org-1",
            "speaker_person_key": "pk-1",
        },
        {"kind": "talk", "title": "Вопросы", "speaker_name": "Сидоров"},
    ]
