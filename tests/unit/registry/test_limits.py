"""Limits of what a caller can send: every free-text field has a maximum length, checked
before any pattern or function looks at the text; lists are capped; a table is read
row by row and refused at the first row past the cap."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from pydantic import ValidationError

from nkohub_registry.domain import people
from nkohub_registry.domain.organizations import OrganizationCreate, OrganizationPatch
from nkohub_registry.service import tables

BASE = {"full_name": "АНО «Ёлочка»", "legal_form": "ano", "ogrn": "1027700132195"}
HUGE = 1_000_000


def _error(model, **fields):
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**BASE, **fields})
    return refused.value.errors()[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Я" * HUGE),
        ("short_name", "Я\n" * HUGE),
        ("address", "г. Глазов " * HUGE),
        ("description", "к" * HUGE),
        ("website", "https://" + "a" * HUGE),
        ("public_phone", "1" * HUGE),
        ("okved", ["9" * HUGE]),
        ("opf_code", "1" * HUGE),
        ("ogrn", "1" * HUGE),
        ("kpp", "1" * HUGE),
        ("leader_person_id", "p" * HUGE),
    ],
)
def test_every_free_text_field_is_refused_by_its_length_first(field, value):
    error = _error(OrganizationCreate, **{field: value})
    assert error["type"] == "string_too_long", error["type"]
    assert error["loc"][0] == field


def test_a_name_of_control_characters_only_is_blank():
    error = _error(OrganizationCreate, full_name="\x00\x01\r\n\t")
    assert error["loc"] == ("full_name",)
    assert OrganizationCreate.model_validate(
        {**BASE, "full_name": "АНО\r\n«Ёлочка»"}
    ).full_name == ("АНО «Ёлочка»")


@pytest.mark.parametrize(
    ("field", "item"),
    [("activity_areas", "youth"), ("okved", "94.99"), ("social_links", "https://vk.com/x")],
)
def test_lists_are_capped(field, item):
    assert _error(OrganizationPatch, **{field: [item] * 1000})["type"] == "too_long"


def test_self_registration_and_people_fields_have_limits_too():
    from nkohub_registry.domain import proposals

    with pytest.raises(ValidationError) as refused:
        proposals.SelfRegistration.model_validate({**BASE, "city": "Г" * HUGE})
    assert refused.value.errors()[0]["type"] == "string_too_long"
    consent = {
        "purpose": "п",
        "text_version": "1",
        "given_at": "2019-03-01T10:00:00Z",
        "source": "и",
    }
    with pytest.raises(ValidationError) as refused:
        people.PersonCreate.model_validate(
            {
                "full_name": "Мария",
                "role": "ngo_representative",
                "organization_ids": ["o"] * 1000,
                "processing_consent": consent,
            }
        )
    assert refused.value.errors()[0]["type"] == "too_long"


def test_rows_are_capped_while_reading(monkeypatch):
    """``read_rows`` here never ends: only a cap applied while reading can stop it."""
    taken = itertools.count()

    def endless(data, filename=""):
        for number in itertools.count(1):
            next(taken)
            yield number, ["АНО", "1027700132195"]

    monkeypatch.setattr(tables, "read_rows", endless)
    with pytest.raises(tables.TableError) as refused:
        tables.load_rows(b"", "rows.csv", max_rows=1000)
    assert refused.value.field == "file" and "больше 1000" in refused.value.message
    assert next(taken) == 1002, "the header, 1000 rows, and the one past the cap"


def test_an_xlsx_that_would_unpack_into_too_much_is_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (tables.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(tables.TableError) as refused:
        tables.load_rows(buffer.getvalue(), "bomb.xlsx")
    assert "распаковывается" in refused.value.message
