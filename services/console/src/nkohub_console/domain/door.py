"""At the door: a walk-in is recorded as a one-line sign-in sheet (name, role,
organization, contact), which the events service turns into an attendance at once; and
codes read from a phone or a USB scanner are cleaned before they are checked."""

from __future__ import annotations

import csv
import io
import re

from nkohub_shared.errors import InvalidInput

CODE_CHARS = re.compile(r"[^A-Z2-7]")
CODE_LENGTH = 6


def clean_code(raw: str) -> str:
    """``" ab c-d2e "`` → ``ABCD2E``; a QR code carrying a URL yields its last 6 code
    characters (``…?code=ABCD2E``)."""
    text = raw.strip().upper()
    if "=" in text:
        text = text.rsplit("=", 1)[1]
    cleaned = CODE_CHARS.sub("", text)
    if len(cleaned) < CODE_LENGTH:
        raise InvalidInput("код — шесть латинских букв и цифр из письма", field="short_code")
    return cleaned[-CODE_LENGTH:]


def walk_in_sheet(name: str, role_label: str, organization: str, contact: str) -> bytes:
    """The CSV the events service reads as a sign-in sheet (UTF-8, a header row)."""
    if not name.strip():
        raise InvalidInput("укажите имя", field="name")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["имя", "роль", "организация", "контакт"])
    writer.writerow([_cell(name), _cell(role_label), _cell(organization), _cell(contact)])
    return out.getvalue().encode("utf-8")


def _cell(value: str) -> str:
    """A spreadsheet would run a leading ``=+-@`` as a formula."""
    value = " ".join(value.split())
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
