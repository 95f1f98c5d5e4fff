"""Field types of the registry's forms: one-line texts, contacts, codes."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from nkohub_shared.text import Email, OneLine

__all__ = ["Email", "LongText", "Okved", "OpfCode", "Phone", "Text", "Url"]

# A name, a title, an address: one line (control characters become spaces), then checked.
Text = Annotated[OneLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Okved = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{2}(\.\d{1,2}){0,2}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[\d\s()\-]{5,20}$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$")]
OpfCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{5}$")]
