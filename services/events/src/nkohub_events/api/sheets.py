"""Uploaded sign-in sheets (CSV in any common dialect and encoding, or XLSX) as rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from nkohub_events.domain.common import normalise
from nkohub_shared.errors import InvalidInput

HEADERS = {
    "name": ("name", "имя", "фио", "участник"),
    "role": ("role", "роль", "кто"),
    "organization": ("organization", "организация", "нко"),
    "contact": ("contact", "email", "e-mail", "почта", "контакт"),
}


def _cells(filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True).active
        except Exception:
            raise InvalidInput("not a readable XLSX file", field="file") from None
        return [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1251")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:2000], delimiters=",;\t")
    except csv.Error:
        dialect = "excel"
    return list(csv.reader(io.StringIO(text), dialect))


def read_sheet(filename: str, content: bytes) -> list[dict[str, str]]:
    """The sheet's rows as ``{"name", "role", "organization", "contact"}`` (the columns
    it has), found by their Russian or English headers in the first row."""
    if not content:
        raise InvalidInput("the file is empty", field="file")
    rows = _cells(filename, content)
    if not rows:
        raise InvalidInput("the file has no rows", field="file")
    header = [normalise(h) for h in rows[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                columns[key] = i
                break
    if "name" not in columns:
        raise InvalidInput("the first row must name the columns (name/имя, ...)", field="file")
    out = []
    for row in rows[1:]:
        item = {k: (row[i].strip() if i < len(row) and row[i] else "") for k, i in columns.items()}
        if any(item.values()):
            out.append(item)
    return out
