"""Words as the search and the import compare them."""

from __future__ import annotations

import re

_QUOTES = re.compile(r"[\"'«»“”„‘’`]")
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lowercase, ``ё`` → ``е``, quotes and «ёлочки» dropped, punctuation to spaces."""
    text = _QUOTES.sub("", text.lower().replace("ё", "е"))
    return " ".join(_NON_WORD.sub(" ", text).split())
