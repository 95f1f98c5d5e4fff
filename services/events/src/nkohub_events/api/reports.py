"""The practice report (staff): JSON; CSV (the results table) or XLSX (the results table
and the breakdowns per meetup, role and specialty, one sheet each)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from nkohub_events.api.deps import Context
from nkohub_events.api.exports import (
    INDICATOR_COLUMNS,
    MEETUP_COLUMNS,
    ROLE_COLUMNS,
    SPECIALTY_COLUMNS,
)
from nkohub_events.domain.common import ROLE_LABELS, SPECIALTY_LABELS
from nkohub_events.domain.report import INDICATORS
from nkohub_shared.tables import XLSX_MEDIA_TYPE, to_xlsx
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.downloads import table_download

router = APIRouter(tags=["reports"])


@router.get("/reports/practice", response_model=None)
async def practice(
    ctx: Context,
    user: StaffUser,
    from_: Annotated[date, Query(alias="from")],
    to: date,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The practice's results table for a period (dates in the venue's time zone), computed
    from records: meetups held, NGOs that took part, participants (and attendances),
    consultations given, posts published and post views; per meetup, role, specialty."""
    report = await ctx.reports.practice(from_, to)
    if format == "json":
        return report
    name = f"practice-{from_}-{to}"
    indicators = [
        {"indicator": key, "label": label, "value": report["indicators"][key]}
        for key, label in INDICATORS
    ]
    if format == "csv":
        return table_download(name, "csv", INDICATOR_COLUMNS, indicators)
    roles = [{**r, "label": ROLE_LABELS.get(r["role"], r["role"])} for r in report["per_role"]]
    specialties = [
        {**s, "label": SPECIALTY_LABELS.get(s["specialty"], s["specialty"])}
        for s in report["per_specialty"]
    ]
    workbook = to_xlsx(
        {
            "Итоги": (INDICATOR_COLUMNS, indicators),
            "Встречи": (MEETUP_COLUMNS, report["per_meetup"]),
            "Роли": (ROLE_COLUMNS, roles),
            "Специалисты": (SPECIALTY_COLUMNS, specialties),
        }
    )
    return Response(
        workbook,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
