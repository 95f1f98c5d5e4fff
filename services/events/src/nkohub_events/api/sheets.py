"""Uploaded sign-in sheets (CSV in any common dialect and encoding, or XLSX) as rows.

Nothing here trusts the upload's size: the request body is counted while it is read and
refused past ``max_bytes`` (413) before it is parsed; rows are counted while they are
read and refused past ``max_rows`` (413), never after loading them all; an XLSX (a zip)
whose unpacked parts would exceed ``XLSX_UNPACKED_MAX`` is refused before it is opened;
and the parsing runs in a worker thread, so a large sheet never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Iterator
from itertools import islice
from typing import Any

from fastapi import Request

from nkohub_events.domain.common import normalise
from nkohub_shared.errors import DomainError, InvalidInput
from nkohub_shared.web.uploads import open_upload

HEADERS = {
    "name": ("name", "имя", "фио", "участник"),
    "role": ("role", "роль", "кто"),
    "organization": ("organization", "организация", "нко"),
    "contact": ("contact", "email", "e-mail", "почта", "контакт"),
}
XLSX_UNPACKED_MAX = 50_000_000
SNIFF_CHARS = 2000


class TooLarge(DomainError):
    """413: an upload or a sheet past its limit."""

    status_code = 413
    code = "too_large"


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"the upload is over {max_bytes} bytes", field="file")


async def uploaded_file(request: Request, max_bytes: int) -> tuple[str, bytes]:
    """The ``file`` part of a multipart upload (its name and content): a body declared or
    found over ``max_bytes`` is refused (413) as it arrives, before anything is parsed."""
    upload = await open_upload(request, max_body=max_bytes, too_large=lambda: _too_large(max_bytes))
    return upload.filename or "", await upload.read(max_bytes)


async def parse_sheet(filename: str, content: bytes, max_rows: int) -> list[dict[str, str]]:
    """``read_sheet`` in a worker thread (openpyxl and csv are CPU-bound)."""
    return await asyncio.to_thread(read_sheet, filename, content, max_rows)


def _too_many(max_rows: int) -> TooLarge:
    return TooLarge(f"the sheet has more than {max_rows} rows", field="file")


def _bounded(rows: Iterator[list[str]], max_rows: int) -> list[list[str]]:
    """The header and at most ``max_rows`` rows, taken one by one."""
    taken = list(islice(rows, max_rows + 2))
    if len(taken) > max_rows + 1:
        raise _too_many(max_rows)
    return taken


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except zipfile.BadZipFile:
        raise InvalidInput("not a readable XLSX file", field="file") from None
    if unpacked > XLSX_UNPACKED_MAX:
        raise TooLarge("the XLSX file unpacks to too much data", field="file")
    from openpyxl import load_workbook  # 14 MiB resident: only when a sheet comes

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
    except Exception:
        raise InvalidInput("not a readable XLSX file", field="file") from None
    for row in sheet.iter_rows(values_only=True):
        yield ["" if c is None else str(c) for c in row]


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1251")
        except UnicodeDecodeError:  # neither: not a text table at all (an image, say)
            raise InvalidInput(
                "not a readable table: CSV in UTF-8 or Windows-1251, or XLSX", field="file"
            ) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = "excel"
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error:
        raise InvalidInput("not a readable CSV file", field="file") from None


def read_sheet(filename: str, content: bytes, max_rows: int) -> list[dict[str, str]]:
    """The sheet's rows as ``{"name", "role", "organization", "contact"}`` (the columns
    it has), found by their Russian or English headers in the first row."""
    if not content:
        raise InvalidInput("the file is empty", field="file")
    reader = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    rows = _bounded(reader, max_rows)
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
