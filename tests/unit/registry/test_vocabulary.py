"""How the import reads legal forms, statuses and activity areas from codes, Russian
names and ОКОПФ codes."""

import pytest

from nkohub_registry.domain.vocabulary import (
    ACTIVITY_AREA_LABELS,
    LegalForm,
    activity_area_of,
    legal_form_of,
    status_of,
)


@pytest.mark.parametrize("form", list(LegalForm))
def test_every_legal_form_code_reads_as_itself(form: LegalForm) -> None:
    assert legal_form_of(form.value) == (form.value, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("public_movement", "public_movement"),  # underscores: codes, not words
        ("PUBLIC_ORGANIZATION", "public_organization"),
        ("public movement", "public_movement"),
        ("АНО", "ano"),
        ("Автономная некоммерческая организация", "ano"),
        ("ТОС", "tos"),
        ("Территориальное общественное самоуправление", "tos"),  # not «общественная»
        ("Местная религиозная организация", "religious"),
        ("Благотворительный фонд", "fund"),
        ("Общественный фонд", "fund"),  # a fund first, «общественный» second
        ("Общественное движение", "public_movement"),
        ("Ассоциация (союз)", "association"),
        ("Союз ремесленников", "association"),
        ("Местная общественная организация", "public_organization"),
        ("что-то иное", "other"),
        ("", "other"),
    ],
)
def test_legal_forms_are_read_from_codes_and_names(value: str, expected: str) -> None:
    assert legal_form_of(value) == (expected, None)


@pytest.mark.parametrize(
    ("okopf", "expected"),
    [
        ("71400", "ano"),
        ("70400", "fund"),
        ("70401", "fund"),
        ("20200", "public_organization"),
        ("20300", "public_movement"),
        ("20600", "association"),
        ("71600", "religious"),
        ("71401", "other"),
        ("12345", "other"),
    ],
)
def test_okopf_codes_give_the_form_and_are_kept(okopf: str, expected: str) -> None:
    assert legal_form_of(f" {okopf} ") == (expected, okopf)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("  ", None),
        ("active", "active"),
        ("Suspended", "suspended"),
        ("Зарегистрирована", "active"),
        ("В процессе ликвидации", "suspended"),
        ("Деятельность приостановлена", "suspended"),
        ("В стадии реорганизации", "suspended"),
        ("Ликвидирована", "liquidated"),
        ("Исключена из ЕГРЮЛ", "liquidated"),
        ("Деятельность прекращена", "liquidated"),  # прекращ-, not only прекрат-
        ("Прекратила деятельность", "liquidated"),
    ],
)
def test_statuses_are_read_from_codes_and_the_ministrys_wording(
    value: str, expected: str | None
) -> None:
    assert status_of(value) == expected


@pytest.mark.parametrize(("code", "label"), list(ACTIVITY_AREA_LABELS.items()))
def test_activity_areas_are_read_from_codes_and_labels(code: str, label: str) -> None:
    assert activity_area_of(code) == code
    assert activity_area_of(label.upper()) == code


def test_activity_area_codes_with_underscores_and_unknown_words() -> None:
    assert activity_area_of("local_history") == "local_history"
    assert activity_area_of("Local History") == "local_history"
    assert activity_area_of("Молодежь") == "youth"  # е for ё
    assert activity_area_of("шахматы") == "шахматы"  # left for the validation to refuse
