"""Export of the filtered organization list (staff): CSV or XLSX in the one dialect of
``nkohub_shared.tables`` (Russian headers, formula-leading cells escaped). Its columns
are the import template's (``domain.table.EXPORT_COLUMNS``), so an exported file can be
edited and imported back."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from nkohub_registry.api.deps import Context, Filter, Sort
from nkohub_registry.domain.table import EXPORT_COLUMNS
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.downloads import TABLE_CONTENT, TableFormat, table_download

router = APIRouter()


@router.get("/organizations/export", response_class=Response, responses=TABLE_CONTENT)
async def export_organizations(
    ctx: Context, _: StaffUser, flt: Filter, format: TableFormat = "csv", sort: Sort = "name"
) -> Response:
    """The filtered list as CSV (UTF-8 with BOM, `;`) or XLSX (sheet «НКО»)."""
    rows = [doc async for doc in ctx.organizations.export(flt, sort=sort)]
    return table_download("organizations", format, EXPORT_COLUMNS, rows, sheet="НКО")
