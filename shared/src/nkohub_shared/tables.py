"""Tables a person opens in a spreadsheet: one CSV dialect and XLSX for every export.

CSV is UTF-8 with a BOM, ``;`` between fields and CRLF line ends — what Excel with a
Russian locale opens as columns; headers are Russian. A text cell that a spreadsheet
would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR) is
prefixed with an apostrophe, in CSV and XLSX alike (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31


@dataclass(frozen=True)
class Column:
    key: str  # the row's key
    title: str  # the header a person reads (Russian)


def cell(value: Any) -> str | int | float:
    """A value as a spreadsheet cell that can never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    is_list = isinstance(value, list | tuple | set)
    text = "; ".join(str(v) for v in value) if is_list else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _rows(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]
) -> Iterable[list[str | int | float]]:
    yield [c.title for c in columns]
    for row in rows:
        yield [cell(row.get(c.key)) for c in columns]


def to_csv(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(_rows(columns, rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv_sections(
    sections: Mapping[str, tuple[Sequence[Column], Iterable[Mapping[str, Any]]]],
) -> bytes:
    """Several tables in one CSV: each under a line with its title, a blank line between
    (what the workbook holds as sheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, (title, (columns, rows)) in enumerate(sections.items()):
        if index:
            writer.writerow([])
        writer.writerow([cell(title)])
        writer.writerows(_rows(columns, rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: Mapping[str, tuple[Sequence[Column], Iterable[Mapping[str, Any]]]]) -> bytes:
    """One workbook, a sheet per entry (titles cut to Excel's 31 characters)."""
    from openpyxl import Workbook  # 14 MiB resident: only when asked for

    book = Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title[:SHEET_TITLE_MAX])
        for line in _rows(columns, rows):
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
