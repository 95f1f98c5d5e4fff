"""Tables as downloads: CSV or XLSX responses in the one dialect of ``nkohub_shared.tables``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi import Response

from nkohub_shared.tables import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Column,
    to_csv,
    to_csv_sections,
    to_xlsx,
)
from nkohub_shared.web.openapi import content_of

Tables = Mapping[str, tuple[Sequence[Column], Iterable[Mapping[str, Any]]]]

TableFormat = Literal["csv", "xlsx"]

# ``responses=`` of a route that answers a table download (beside JSON, when it has a format).
TABLE_CONTENT = content_of(
    CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, description="таблица: CSV (UTF-8 с BOM, «;») или XLSX"
)


def table_download(
    name: str,
    format: TableFormat,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet: str | None = None,
) -> Response:
    """``name.csv`` or ``name.xlsx`` as an attachment (``name`` is ASCII: a file name)."""
    if format == "csv":
        return _attachment(name, format, to_csv(columns, rows), CSV_MEDIA_TYPE)
    return _attachment(name, format, to_xlsx({sheet or name: (columns, rows)}), XLSX_MEDIA_TYPE)


def tables_download(name: str, format: TableFormat, tables: Tables) -> Response:
    """Several tables: sheets of one workbook, or titled sections of one CSV."""
    if format == "csv":
        return _attachment(name, format, to_csv_sections(tables), CSV_MEDIA_TYPE)
    return _attachment(name, format, to_xlsx(tables), XLSX_MEDIA_TYPE)


def _attachment(name: str, format: str, body: bytes, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )
