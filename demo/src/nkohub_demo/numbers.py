"""State registration numbers with valid check digits (for invented organizations)."""

from __future__ import annotations

import random

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def ogrn(rng: random.Random, *, year: int, region: str = "18") -> str:
    """13-digit ОГРН of a legal entity: 1, year, region, 7 digits, then the check digit."""
    body = f"1{year % 100:02d}{region}{rng.randrange(10**7):07d}"
    body = body[:12].ljust(12, "0")
    return body + str(int(body) % 11 % 10)


def inn10(rng: random.Random, *, tax_office: str = "1837") -> str:
    """10-digit ИНН of a legal entity: tax office code, 5 digits, check digit."""
    body = f"{tax_office}{rng.randrange(10**5):05d}"
    check = sum(int(d) * w for d, w in zip(body, INN10_WEIGHTS, strict=True)) % 11 % 10
    return body + str(check)
