"""Check digits of ОГРН, ИНН and the КПП format, with real-world-shaped numbers.

An organization in the registry is a legal entity: its ОГРН has 13 digits and its ИНН
10. The 15-digit ОГРНИП and the 12-digit ИНН of a person are refused even when their
own check digits are right.
"""

import pytest

from nkohub_registry.domain.identifiers import (
    InvalidIdentifier,
    inn_check_digit,
    make_inn,
    make_ogrn,
    ogrn_check_digit,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)

# Published registration numbers of well-known legal entities (public data).
REAL_OGRN = ["1027700132195", "1027700229193"]
REAL_INN = ["7707083893", "7736207543"]
# A sole trader's ОГРНИП (15 digits) and a person's ИНН (12 digits), check digits right.
OGRNIP = "304500116000157"
PERSON_INN = "500100732259"


@pytest.mark.parametrize("ogrn", REAL_OGRN)
def test_real_ogrn_numbers_pass(ogrn: str) -> None:
    assert validate_ogrn(ogrn) == ogrn


@pytest.mark.parametrize("inn", REAL_INN)
def test_real_inn_numbers_pass(inn: str) -> None:
    assert validate_inn(inn) == inn


def test_spaces_and_dashes_are_dropped() -> None:
    assert validate_ogrn(" 1027700-132195 ") == "1027700132195"
    assert validate_inn("7707 083 893") == "7707083893"


def test_ogrn_check_digit_is_the_remainder_mod_11_mod_10() -> None:
    assert 102770013219 % 11 == 5 and ogrn_check_digit("102770013219") == 5
    first12 = next(str(n) for n in range(100000000000, 100000000200) if n % 11 == 10)
    assert ogrn_check_digit(first12) == 0  # a remainder of 10 gives 0
    assert validate_ogrn(first12 + "0") == first12 + "0"
    with pytest.raises(InvalidIdentifier, match="контрольная цифра ОГРН"):
        validate_ogrn("1027700132196")


def test_inn_check_digit_is_the_weighted_sum_mod_11_mod_10() -> None:
    # 7·2 + 7·4 + 0·10 + 7·3 + 0·5 + 8·9 + 3·4 + 8·6 + 9·8 = 267; 267 % 11 = 3
    assert inn_check_digit("770708389") == 3
    assert make_inn("770708389") == "7707083893"
    assert make_ogrn("102770013219") == "1027700132195"


@pytest.mark.parametrize("value", ["102770013219", "10277001321955", "10277001321x5", "", OGRNIP])
def test_ogrn_of_wrong_shape_is_refused(value: str) -> None:
    with pytest.raises(InvalidIdentifier, match="ОГРН должен состоять из 13 цифр"):
        validate_ogrn(value)


def test_every_changed_digit_of_an_ogrn_is_caught() -> None:
    for position in range(13):
        digits = list(REAL_OGRN[0])
        digits[position] = str((int(digits[position]) + 1) % 10)
        with pytest.raises(InvalidIdentifier, match="контрольная цифра ОГРН"):
            validate_ogrn("".join(digits))


def test_every_changed_digit_of_an_inn_is_caught() -> None:
    for position in range(10):
        digits = list(REAL_INN[0])
        digits[position] = str((int(digits[position]) + 1) % 10)
        with pytest.raises(InvalidIdentifier, match="контрольная цифра ИНН"):
            validate_inn("".join(digits))


@pytest.mark.parametrize("value", [PERSON_INN, "770708389", "77070838931", "77070a3893"])
def test_inn_that_is_not_a_legal_entitys_is_refused(value: str) -> None:
    with pytest.raises(InvalidIdentifier, match="ИНН юридического лица должен состоять из 10"):
        validate_inn(value)


def test_kpp_format() -> None:
    assert validate_kpp("183701001") == "183701001"
    assert validate_kpp("7707ab001") == "7707AB001"
    for bad in ("18370100", "18370100A", "1837ab001x", "АБВГ01001"):
        with pytest.raises(InvalidIdentifier, match="КПП"):
            validate_kpp(bad)
