"""Russian state registration numbers and their check digits.

- ОГРН (13 digits): the last digit is the remainder of the first 12 digits (as a number)
  divided by 11, taken mod 10.
- ИНН of a legal entity (10 digits): the last digit is the weighted sum of the first nine
  (weights 2, 4, 10, 3, 5, 9, 4, 6, 8) mod 11, mod 10.
- КПП (9 characters): 4 digits (tax office), 2 digits or capital Latin letters (reason),
  3 digits (number).
"""

from __future__ import annotations

import re

INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
KPP_PATTERN = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


class InvalidIdentifier(ValueError):
    """A number that is not a valid ОГРН / ИНН / КПП; the message says why (in Russian)."""


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", str(value or ""))


def ogrn_check_digit(first12: str) -> int:
    return int(first12) % 11 % 10


def inn_check_digit(first9: str) -> int:
    return sum(int(d) * w for d, w in zip(first9, INN_WEIGHTS, strict=True)) % 11 % 10


def validate_ogrn(value: str) -> str:
    digits = _digits(value)
    if not re.fullmatch(r"\d{13}", digits):
        raise InvalidIdentifier("ОГРН должен состоять из 13 цифр")
    if ogrn_check_digit(digits[:12]) != int(digits[12]):
        raise InvalidIdentifier("неверная контрольная цифра ОГРН")
    return digits


def validate_inn(value: str) -> str:
    digits = _digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise InvalidIdentifier("ИНН юридического лица должен состоять из 10 цифр")
    if inn_check_digit(digits[:9]) != int(digits[9]):
        raise InvalidIdentifier("неверная контрольная цифра ИНН")
    return digits


def validate_kpp(value: str) -> str:
    kpp = _digits(value).upper()
    if not KPP_PATTERN.match(kpp):
        raise InvalidIdentifier("КПП: 9 знаков — 4 цифры, 2 цифры или латинские буквы, 3 цифры")
    return kpp


def make_ogrn(first12: str) -> str:
    """A valid ОГРН from its first 12 digits (test data, the benchmark)."""
    return first12 + str(ogrn_check_digit(first12))


def make_inn(first9: str) -> str:
    """A valid 10-digit ИНН from its first 9 digits."""
    return first9 + str(inn_check_digit(first9))
