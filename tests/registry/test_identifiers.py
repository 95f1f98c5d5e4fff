"""Check digits of ОГРН, ИНН and the КПП format, with real-world-shaped numbers."""

import pytest

from nkohub_registry.domain.identifiers import (
    InvalidIdentifier,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from nkohub_registry.domain.vocabulary import legal_form_of

# Published registration numbers of well-known legal entities (public data).
REAL_OGRN = ["1027700132195", "1027700229193"]
REAL_INN = ["7707083893", "7736207543"]


@pytest.mark.parametrize("ogrn", REAL_OGRN)
def test_real_ogrn_numbers_pass(ogrn: str) -> None:
    assert validate_ogrn(ogrn) == ogrn


@pytest.mark.parametrize("inn", REAL_INN)
def test_real_inn_numbers_pass(inn: str) -> None:
    assert validate_inn(inn) == inn


def test_ogrn_check_digit_is_the_remainder_mod_11_mod_10() -> None:
    # 102770013219 % 11 == 5 → last digit 5; a remainder of 10 gives 0
    assert validate_ogrn("1027700132195")
    first12 = next(str(n) for n in range(100000000000, 100000000200) if n % 11 == 10)
    assert validate_ogrn(first12 + "0")
    with pytest.raises(InvalidIdentifier, match="контрольная"):
        validate_ogrn("1027700132196")


@pytest.mark.parametrize(
    ("value", "message"),
    [("102770013219", "13 цифр"), ("10277001321955", "13 цифр"), ("10277001321x5", "13 цифр")],
)
def test_ogrn_of_wrong_shape_is_refused(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message):
        validate_ogrn(value)


def test_inn_with_a_changed_digit_is_refused() -> None:
    for position in range(10):
        digits = list("7707083893")
        digits[position] = str((int(digits[position]) + 1) % 10)
        with pytest.raises(InvalidIdentifier):
            validate_inn("".join(digits))


def test_individual_inn_of_12_digits_is_not_a_legal_entity_inn() -> None:
    with pytest.raises(InvalidIdentifier, match="10 цифр"):
        validate_inn("500100732259")


def test_kpp_format() -> None:
    assert validate_kpp("183701001") == "183701001"
    assert validate_kpp("7707AB001") == "7707AB001"
    for bad in ("18370100", "18370100A", "1837ab001x", "АБВГ01001"):
        with pytest.raises(InvalidIdentifier):
            validate_kpp(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("public_movement", "public_movement"),
        ("public_organization", "public_organization"),
        ("ano", "ano"),
        ("Местная общественная организация", "public_organization"),
        ("ТОС", "tos"),
        ("71400", "ano"),
        ("что-то иное", "other"),
    ],
)
def test_legal_forms_are_read_from_codes_names_and_okopf(value: str, expected: str) -> None:
    assert legal_form_of(value)[0] == expected
