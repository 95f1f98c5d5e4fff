"""Organizations: input rules, what a staff edit and an import change record (fields,
``hand_edited``, events), approval, twins, search words and views."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from nkohub_registry.domain.organizations import (
    DuplicateOrganization,
    OrganizationCreate,
    OrganizationFilter,
    OrganizationPatch,
    approval,
    plan_change,
    public_view,
    query_words,
    registered_event,
    search_fields,
    staff_view,
)
from nkohub_registry.domain.vocabulary import Source
from nkohub_shared.errors import Conflict, InvalidInput
from tests.unit.registry.conftest import NOW


def _types(change) -> list[str]:
    return [e.type for e in change.events]


def test_a_staff_entry_remembers_the_fields_sent_and_an_import_none(stored) -> None:
    staff = stored(description="Кружки")
    assert staff["hand_edited"] == ["city", "description", "full_name", "inn", "legal_form", "ogrn"]
    assert stored(source=Source.IMPORTED)["hand_edited"] == []
    assert staff["search_words"][:3] == ["автономная", "некоммерческая", "организация"]
    assert staff["sort_name"] == "автономная некоммерческая организация елочка"
    assert len(staff["_id"]) == 32 and int(staff["_id"], 16) >= 0


def test_registered_event_carries_the_public_record(stored) -> None:
    doc = stored(kpp="183701001")
    event = registered_event(doc)
    assert event.type == "registry.organization.registered" and event.subject == doc["_id"]
    assert event.data["source"] == "staff"
    assert event.data["organization"]["ogrn"] == "1027700132195"
    assert "kpp" not in event.data["organization"]


def test_a_staff_edit_records_the_changed_fields_as_edited_by_hand(stored) -> None:
    doc = stored(source=Source.IMPORTED)
    change = plan_change(
        doc, {"description": "Кружки", "kpp": "183701002", "city": "Глазов"}, by_hand=True, now=NOW
    )
    assert change is not None
    assert change.fields == ["description", "kpp"]  # the city did not change
    assert change.update["$addToSet"] == {"hand_edited": {"$each": ["description", "kpp"]}}
    assert change.update["$set"]["updated_at"] == NOW
    assert change.update["$set"]["description"] == "Кружки"
    assert _types(change) == ["registry.organization.updated"]
    assert change.events[0].data["changed"] == ["description"]  # kpp is not in the contract
    assert change.events[0].data["organization"]["description"] == "Кружки"


def test_an_import_leaves_fields_edited_by_hand_and_remembers_nothing(stored) -> None:
    doc = stored(full_name="АНО «Имя от сотрудника»")  # staff entry: full_name by hand
    values = {"full_name": "АНО «Новое имя»", "status": "suspended", "okved": ["94.99"]}
    change = plan_change(doc, values, by_hand=False, reason="ЕГРЮЛ")
    assert change is not None
    assert change.fields == ["okved", "status"]
    assert "full_name" not in change.update["$set"]
    assert "$addToSet" not in change.update
    assert _types(change) == [
        "registry.organization.updated",
        "registry.organization.deactivated",
    ]
    assert change.events[0].data["changed"] == ["status"]  # okved is not in the contract
    assert change.events[1].data == {
        "organization_id": doc["_id"],
        "status": "suspended",
        "reason": "ЕГРЮЛ",
        "actor": None,
    }


def test_nothing_to_change_is_no_change(stored) -> None:
    doc = stored(full_name="АНО «Ёж»")
    assert plan_change(doc, {"full_name": "АНО «Ёж»", "city": "Глазов"}, by_hand=True) is None
    assert plan_change(doc, {"full_name": "АНО «Другое»"}, by_hand=False) is None


def test_a_name_change_recomputes_the_search_words(stored) -> None:
    change = plan_change(stored(), {"short_name": "«Зелёный» центр"}, by_hand=True)
    assert change is not None
    assert change.update["$set"]["sort_name"] == "зеленый центр"
    assert "зеленый" in change.update["$set"]["search_words"]


def test_deactivation_is_announced_only_on_the_way_out(stored) -> None:
    liquidated = stored(status="liquidated")
    change = plan_change(liquidated, {"status": "suspended"}, by_hand=True)
    assert change is not None and _types(change) == ["registry.organization.updated"]
    back = plan_change(liquidated, {"status": "active"}, by_hand=True)
    assert back is not None and _types(back) == ["registry.organization.updated"]


def test_an_unapproved_self_registration_announces_nothing_until_approved(stored) -> None:
    pending = stored(source=Source.SELF_REGISTERED, approved=False)
    change = plan_change(
        pending, {"full_name": "АНО «Новое»", "status": "liquidated"}, by_hand=True
    )
    assert change is not None and change.events == []
    approved = approval(pending, now=NOW)
    assert approved.update == {"$set": {"approved": True, "updated_at": NOW}}
    assert _types(approved) == ["registry.organization.registered"]
    assert approved.events[0].data["source"] == "self_registered"


def test_a_twin_is_a_conflict_naming_the_existing_organization() -> None:
    twin = DuplicateOrganization("inn", {"_id": "o1", "full_name": "Фонд «Первый»", "ogrn": "x"})
    assert isinstance(twin, Conflict) and twin.status_code == 409
    assert twin.field == "inn"
    assert twin.message == "организация с таким ИНН уже есть: «Фонд «Первый»»"
    assert twin.details == {"existing": {"id": "o1", "full_name": "Фонд «Первый»"}}
    assert "ОГРН" in DuplicateOrganization("ogrn", {"_id": "o1"}).message


def test_a_patch_changes_only_what_was_sent_and_refuses_clearing_required_fields() -> None:
    patch = OrganizationPatch.model_validate(
        {"registered_on": "2015-03-12", "activity_areas": ["youth", "youth"], "website": None}
    )
    assert patch.changes() == {
        "registered_on": "2015-03-12",
        "activity_areas": ["youth"],
        "website": None,
    }
    for required in ("full_name", "legal_form", "ogrn", "status"):
        with pytest.raises(InvalidInput) as refused:
            OrganizationPatch.model_validate({required: None}).changes()
        assert refused.value.field == required
    reason = OrganizationPatch.model_validate({"status": "liquidated", "status_reason": "решение"})
    assert reason.changes() == {"status": "liquidated"}


def test_names_are_one_line_and_e_mails_are_checked() -> None:
    base = {"legal_form": "ano", "ogrn": "1027700132195"}
    data = OrganizationCreate.model_validate(
        {**base, "full_name": "АНО\r\n«Ёж»\t", "public_email": " office@EZH.ru "}
    )
    assert data.full_name == "АНО «Ёж»"
    assert data.public_email == "office@ezh.ru"
    for bad in ({"full_name": "\x00\n"}, {"full_name": "x" * 501}, {"public_email": "a@b"}):
        with pytest.raises(ValidationError) as refused:
            OrganizationCreate.model_validate({"full_name": "АНО «Ёж»", **base, **bad})
        assert refused.value.errors()[0]["loc"] == (next(iter(bad)),)
    created = OrganizationCreate.model_validate(
        {**base, "full_name": "x", "registered_on": "2015-03-12"}
    )
    assert created.registered_on == date(2015, 3, 12)


def test_query_words_and_filters_seen_by_the_public() -> None:
    assert query_words("«Зелёный»  ГЛАЗОВ!") == ["зеленый", "глазов"]
    assert len(query_words("а б в г д е ж з и к")) == 8
    public = OrganizationFilter(source="staff", awaiting_approval=True).seen_by(staff=False)
    assert (public.source, public.awaiting_approval, public.include_unapproved) == (
        None,
        False,
        False,
    )
    staff = OrganizationFilter(source="staff", awaiting_approval=True).seen_by(staff=True)
    assert (staff.source, staff.awaiting_approval, staff.include_unapproved) == (
        "staff",
        True,
        True,
    )


def test_the_public_view_has_no_staff_fields(stored) -> None:
    doc = stored(activity_areas=["children_family", "culture"], leader_person_id=None)
    public = public_view(doc, {"came": False})
    assert public["legal_form_label"].startswith("АНО")
    assert public["activity_area_labels"] == ["детство и семья", "культура"]
    assert public["status_label"] == "действует" and public["history"] == {"came": False}
    for staff_only in ("source", "hand_edited", "leader_person_id", "needs", "approved", "_id"):
        assert staff_only not in public
    staff = staff_view(doc)
    assert staff["source"] == "staff" and staff["approved"] is True and "history" not in staff
    assert search_fields(doc)["sort_name"] == doc["sort_name"]
