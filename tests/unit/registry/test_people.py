"""People: the consent they are held under, their views and their erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from nkohub_registry.domain.people import (
    PersonCreate,
    erasure,
    id_key,
    new_person,
    person_view,
)
from nkohub_shared.privacy import person_key

CONSENT = {
    "purpose": "участие во встречах",
    "text_version": "2019-01",
    "given_at": "2019-03-01T10:00:00+04:00",
    "source": "бумажная анкета",
}
NOW = datetime(2019, 6, 1, tzinfo=UTC)


def person(**fields) -> PersonCreate:
    return PersonCreate.model_validate(
        {
            "full_name": "Мария Петрова",
            "role": "ngo_representative",
            "email": "Petrova.M@Example.RU",
            "processing_consent": CONSENT,
            **fields,
        }
    )


def test_a_new_person_has_a_lower_case_e_mail_and_its_key() -> None:
    doc = new_person(person(organization_ids=["o1", "o1", "o2"], full_name="Мария\nПетрова"))
    assert doc["email"] == "petrova.m@example.ru"
    assert doc["person_key"] == person_key("petrova.m@example.ru")
    assert doc["full_name"] == "Мария Петрова"
    assert doc["organization_ids"] == ["o1", "o2"]
    assert doc["consents"]["processing"]["text_version"] == "2019-01"
    assert doc["consents"]["publishing_contacts"] is None
    assert doc["erased_at"] is None and len(doc["_id"]) == 32
    keyless = new_person(person(email=None))
    assert keyless["person_key"] == id_key(keyless["_id"]) == person_key(f"id:{keyless['_id']}")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"processing_consent": None}, "processing_consent"),
        ({"email": "petrova@"}, "email"),
        ({"phone": "позвоните"}, "phone"),
        ({"role": "boss"}, "role"),
    ],
)
def test_a_person_is_validated(bad, field) -> None:
    with pytest.raises(ValidationError) as refused:
        person(**bad)
    assert refused.value.errors()[0]["loc"][0] == field


def test_erasure_removes_the_personal_data_and_tells_the_keys() -> None:
    doc = new_person(person(phone="+7 (34141) 2-22-33"))
    update, event = erasure(doc, requested_by="librarian", now=NOW)
    assert update == {
        "$set": {
            "full_name": None,
            "email": None,
            "phone": None,
            "person_key": None,
            "consents": None,
            "erased_at": NOW,
            "erased_by": "librarian",
        }
    }
    assert event.type == "registry.person.erased"
    assert event.data == {"person_id": doc["_id"], "person_keys": [doc["person_key"]]}
    assert "petrova" not in event.model_dump_json().lower()
    no_email = new_person(person(email=None))
    _, keyless = erasure(no_email, requested_by="person")
    assert keyless.data["person_keys"] == [id_key(no_email["_id"])]
    legacy = {**no_email, "person_key": None}  # stored before people without e-mail had keys
    assert erasure(legacy, requested_by="person")[1].data["person_keys"] == [id_key(legacy["_id"])]


def test_the_view_of_an_erased_person() -> None:
    doc = new_person(person())
    view = person_view({**doc, **erasure(doc, "person", now=NOW)[0]["$set"]})
    assert view["erased"] is True and view["erased_at"] == NOW
    assert view["full_name"] is None and view["processing_consent"] is None
    assert view["role_label"] == "представитель НКО"
