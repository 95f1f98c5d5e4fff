"""Free text of public forms: bounded lengths (checked before any pattern), names on one
line; and what public views of a meetup leave out (the speaker's person key)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nkohub_events.domain import meetups
from nkohub_events.domain.consultations import BookingIn
from nkohub_events.domain.questions import FeedbackIn, QuestionIn
from nkohub_events.domain.registrations import RegistrationIn
from nkohub_events.domain.sign_in_sheets import entries
from tests.unit.events.conftest import NOW, meetup_doc


def registration(**overrides):
    body = {
        "name": "Анна",
        "email": "anna@example.org",
        "role": "activist",
        "consent_personal_data": True,
    }
    return {**body, **overrides}


def booking(**overrides):
    body = {
        "organization_name": "АНО «Шахматы»",
        "contact": {"name": "Ирина", "email": "irina@example.org"},
        "consent_personal_data": True,
    }
    return {**body, **overrides}


def refused_field(model, data) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    (error,) = caught.value.errors()
    return ".".join(str(p) for p in error["loc"])


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (RegistrationIn, registration(name="А" * 201), "name"),
        (RegistrationIn, registration(organization_name="О" * 201), "organization_name"),
        (RegistrationIn, registration(phone="1" * 10_000), "phone"),
        (RegistrationIn, registration(organization_ogrn="1" * 10_000), "organization_ogrn"),
        (RegistrationIn, registration(email="a" * 10_000 + "@example.org"), "email"),
        (BookingIn, booking(contact={"name": "И" * 201, "email": "i@example.org"}), "contact.name"),
        (BookingIn, booking(question="?" * 2001), "question"),
        (BookingIn, booking(organization_name="О" * 201), "organization_name"),
        (
            QuestionIn,
            {"registration_id": "r1", "token": "t", "text": "в" * 2001},
            "text",
        ),
        (
            QuestionIn,
            {"registration_id": "r1", "token": "t", "text": "Вопрос", "addressed_to": "к" * 201},
            "addressed_to",
        ),
        (
            FeedbackIn,
            {"registration_id": "r1", "token": "t", "rating": 5, "comment": "к" * 5001},
            "comment",
        ),
    ],
)
def test_overlong_free_text_is_refused_naming_its_field(model, data, field):
    assert refused_field(model, data) == field


def test_names_are_one_line_without_control_characters():
    body = RegistrationIn.model_validate(
        registration(name="Анна\r\nBcc: all@example.org", organization_name="АНО\t«Шахматы»\x00")
    )
    assert body.name == "Анна Bcc: all@example.org"
    assert body.organization_name == "АНО «Шахматы»"
    contact = BookingIn.model_validate(
        booking(contact={"name": "Ирина\nПетрова", "email": "i@example.org"})
    ).contact
    assert contact.name == "Ирина Петрова"
    assert refused_field(RegistrationIn, registration(name="\x00\x01")) == "name"
    assert refused_field(RegistrationIn, registration(name="\r\n")) == "name"


def test_a_sign_in_sheet_row_with_an_overlong_cell_is_an_error_of_that_row():
    rows = [
        {"name": "И" * 201, "role": "", "organization": ""},
        {"name": "Ирина", "role": "", "organization": "О" * 301},
        {"name": "Ирина\r\nСмирнова", "role": "", "organization": ""},
    ]
    found, errors = entries(rows, [], [])
    assert [(e["row"], e["field"]) for e in errors] == [(2, "name"), (3, "organization")]
    assert [f.attendee.name for f in found] == ["Ирина Смирнова"]


def test_the_speakers_person_key_is_for_staff_only():
    program = [
        {
            "position": 1,
            "kind": "talk",
            "title": "Итоги",
            "speaker_name": "Глава города",
            "speaker_person_key": "key-of-the-mayor",
        },
    ]
    m = meetup_doc(program=program)
    public = meetups.public_view(m, NOW)
    assert public["program"] == [
        {"position": 1, "kind": "talk", "title": "Итоги", "speaker_name": "Глава города"}
    ]
    assert "key-of-the-mayor" not in str(public)
    assert meetups.staff_view(m, NOW)["program"][0]["speaker_person_key"] == "key-of-the-mayor"
    assert "key-of-the-mayor" not in meetups.snapshot(m, "http://x").model_dump_json()
    assert m["program"][0]["speaker_person_key"] == "key-of-the-mayor", "the document is intact"
