"""E-mail policies that remember header lines: a mailing's e-mails share most of theirs
(From, Subject, Auto-Submitted, the parts' Content-Type and Content-Transfer-Encoding,
MIME-Version), and the standard library parses every header when it is set and folds it
again when the e-mail is written — most of the CPU an e-mail costs.

``MESSAGE`` is ``email.policy.default`` and ``smtp(...)`` ``email.policy.SMTP`` (as
aiosmtplib's ``send_message`` picks them), except that for those shared headers a value
seen before gets the header object parsed the first time (header objects are immutable)
and the line folded the first time. A value not seen yet goes through the standard
policy unchanged (the same checks: a value with CR or LF is refused), and the other
headers (To, Message-ID, List-Unsubscribe: one per recipient) always do.
"""

from __future__ import annotations

from email.policy import EmailPolicy
from typing import Any

SHARED = frozenset(
    {
        "from",
        "subject",
        "date",
        "auto-submitted",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "list-unsubscribe-post",
    }
)
LIMIT = 2048  # remembered values at most (per kind); then forgotten all at once

_parsed: dict[tuple[str, str], tuple[str, Any]] = {}
_folded: dict[tuple[Any, ...], bytes] = {}


class RememberingPolicy(EmailPolicy):
    """``EmailPolicy`` that parses and folds each shared header value once."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if type(value) is not str or name.lower() not in SHARED:
            return super().header_store_parse(name, value)
        key = (name, value)
        stored = _parsed.get(key)
        if stored is None:
            stored = super().header_store_parse(name, value)
            if len(_parsed) >= LIMIT:
                _parsed.clear()
            _parsed[key] = stored
        return stored

    def fold_binary(self, name: str, value: Any) -> bytes:
        if not hasattr(value, "name") or name.lower() not in SHARED:
            return super().fold_binary(name, value)
        key = (
            name,
            str(value),
            self.utf8,
            self.cte_type,
            self.linesep,
            self.max_line_length,
            self.refold_source,
        )
        folded = _folded.get(key)
        if folded is None:
            folded = super().fold_binary(name, value)
            if len(_folded) >= LIMIT:
                _folded.clear()
            _folded[key] = folded
        return folded


MESSAGE = RememberingPolicy()
_SMTP = MESSAGE.clone(linesep="\r\n")
_SMTP_POLICIES = {
    (utf8, cte_type): _SMTP.clone(utf8=utf8, cte_type=cte_type)
    for utf8 in (False, True)
    for cte_type in ("7bit", "8bit")
}


def smtp(*, utf8: bool, cte_type: str) -> RememberingPolicy:
    """``email.policy.SMTP`` (or ``SMTPUTF8``) with the body's transfer encoding."""
    return _SMTP_POLICIES[(utf8, cte_type)]
