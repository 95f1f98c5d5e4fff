"""Failure reasons without personal data.

A mail server's refusal usually quotes the address (``550 5.1.1 <victim@example.org>:
Recipient address rejected``), sometimes the name. A reason goes into
``notifications.message.failed``, the stored ``last_error`` and the delivery history, so
every address-like word and the recipient's own address, chat id and name are replaced
before it is stored anywhere. The work is linear in the (bounded) text: it splits on
delimiters, no regular expression backtracks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REASON_MAX = 500  # characters of a reason kept
ADDRESS = "<адрес>"
NAME = "<имя>"
_DELIMITERS = re.compile(r"([\s<>()\[\]{},;:\"'`|=])")
_NAME_PART_MIN = 3  # name words shorter than this are too common to hide
_SECRET_INSIDE_MIN = 6  # a shorter one (a chat id «42») is hidden only as a whole word


def scrub_reason(
    text: str, *, secrets: Iterable[str | None] = (), names: Iterable[str] = ()
) -> str:
    """``text`` with every address-like word, every ``secret`` (the recipient's address,
    chat id) and the recipient's ``names`` (whole and each word) replaced."""
    text = text[: REASON_MAX * 4]
    secrets = {s.lower() for s in secrets if s}
    for secret in secrets:
        if len(secret) >= _SECRET_INSIDE_MIN:  # long enough to hide inside other words
            text = _replace(text, secret, ADDRESS)
    words = [w for name in names for w in (name, *name.split()) if len(w) >= _NAME_PART_MIN]
    for word in sorted(set(words), key=len, reverse=True):
        text = _replace(text, word, NAME)
    pieces = _DELIMITERS.split(text)
    text = "".join(
        ADDRESS if "@" in piece or piece.lower() in secrets else piece for piece in pieces
    )
    return text[:REASON_MAX]


def _replace(text: str, value: str, mask: str) -> str:
    """Case-insensitive literal replacement (``re.escape``: no pattern in ``value``)."""
    return re.sub(re.escape(value), mask, text, flags=re.IGNORECASE)
