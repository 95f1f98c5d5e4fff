"""Field types of the registry's forms: one-line texts, contacts, codes, ids.

Every free-text type has a maximum length that pydantic checks first, before any
function or pattern looks at the text, so an oversized value costs one length check.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from nkohub_shared.text import Email, one_line

__all__ = [
    "LIST_MAX",
    "LONG_TEXT_MAX",
    "TEXT_MAX",
    "URL_MAX",
    "Email",
    "Id",
    "LongText",
    "Number",
    "Okved",
    "OpfCode",
    "Phone",
    "Text",
    "Url",
]

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
URL_MAX = 2000
ID_MAX = 64
LIST_MAX = 30  # items of a list field (activity areas, ОКВЭД codes, social links)


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("пустое значение")
    return value


# A name, a title, an address: length first, then one line (control characters become
# spaces), and not blank once they are gone.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(one_line),
    AfterValidator(_not_blank),
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LONG_TEXT_MAX)]
Okved = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=8, pattern=r"^\d{2}(\.\d{1,2}){0,2}$"),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=21, pattern=r"^\+?[\d\s()\-]{5,20}$")
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=URL_MAX, pattern=r"^https?://\S+$")
]
OpfCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5, pattern=r"^\d{5}$")]
# ОГРН, ИНН, КПП as typed (spaces and dashes allowed), before their check digits.
Number = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
# The id of a document (UUID4 hex here; ids kept from elsewhere stay this short too).
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ID_MAX)]
