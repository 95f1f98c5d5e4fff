"""Text rules every service shares: slugs, e-mail addresses, HTML to plain text, names.

Each works in time linear in its input: lengths are checked before anything else, and
no regular expression here can backtrack super-linearly.
"""

from __future__ import annotations

import html
import re
from typing import Annotated

import nh3
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator
from slugify import slugify

EMAIL_MAX = 254
SLUG_MAX = 80
_SPACES = re.compile(r"\s+")
# C0/C1 control characters (CR and LF among them) never belong in a one-line field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def make_slug(text: str, *, fallback: str, max_length: int = SLUG_MAX) -> str:
    """Latin slug of a (Cyrillic) title: ``Гранты для НКО`` → ``granty-dlia-nko``.

    python-slugify transliterates through text-unidecode, which follows the passport
    (ICAO) romanisation for Russian: ж→zh, х→kh, ц→ts, ч→ch, ш→sh, щ→shch, ю→iu, я→ia.
    """
    return slugify(text[: max_length * 4], max_length=max_length, word_boundary=True) or fallback


def normalise_email(value: str) -> str:
    """A checked, normalised address (domain lower-cased, IDN to ASCII); ``ValueError``
    naming the problem otherwise. No DNS look-up: forms must answer without the network."""
    value = value.strip()
    if not value or len(value) > EMAIL_MAX:
        raise ValueError(f"an e-mail address has 1 to {EMAIL_MAX} characters")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None
    return checked.normalized


Email = Annotated[str, AfterValidator(normalise_email)]


# A tag that breaks a line or a block separates words: ``<p>a</p><p>b</p>`` is "a b".
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|figure|figcaption"
    r"|section|article|header|footer|dd|dt)\b)",
    re.IGNORECASE,
)


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment on one line: tags removed by a real HTML parser (block
    and line-break tags leave a space), every entity decoded, white space folded."""
    stripped = nh3.clean(_BLOCK_TAG.sub(" <", markup), tags=set(), strip_comments=True)
    return _SPACES.sub(" ", html.unescape(stripped)).strip()


def one_line(value: str) -> str:
    """A name or title as one line: control characters (CR, LF, tab) become spaces."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


OneLine = Annotated[str, AfterValidator(one_line)]
