"""Export of the filtered organization list: CSV (UTF-8 with BOM, `;` — what Excel with a
Russian locale opens as-is) and XLSX. The columns are the registry's own import template,
so an exported file can be edited and imported back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from nkohub_registry.domain.organizations import EDITABLE_FIELDS

COLUMNS = ["id", *(f for f in EDITABLE_FIELDS if f != "leader_person_id")]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _row(doc: dict[str, Any]) -> list[Any]:
    return [_cell(doc.get("_id" if c == "id" else c)) for c in COLUMNS]


def to_csv(docs: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for doc in docs:
        writer.writerow(_row(doc))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(docs: Iterable[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("НКО")
    sheet.append(COLUMNS)
    for doc in docs:
        sheet.append([str(v) if not isinstance(v, str | int | float) else v for v in _row(doc)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
