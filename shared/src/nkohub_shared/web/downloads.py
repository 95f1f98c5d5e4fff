"""Tables as downloads: CSV or XLSX responses in the one dialect of ``nkohub_shared.tables``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi import Response

from nkohub_shared.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Column, to_csv, to_xlsx

TableFormat = Literal["csv", "xlsx"]


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
        body, media_type = to_csv(columns, rows), CSV_MEDIA_TYPE
    else:
        body, media_type = to_xlsx({sheet or name: (columns, rows)}), XLSX_MEDIA_TYPE
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )
