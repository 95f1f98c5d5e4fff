"""The practice report (staff): JSON, or the results table and the breakdowns per meetup,
role and specialty as sheets of one XLSX or titled sections of one CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from nkohub_events.api.deps import Context
from nkohub_events.api.exports import (
    INDICATOR_COLUMNS,
    MEETUP_COLUMNS,
    ROLE_COLUMNS,
    SPECIALTY_COLUMNS,
)
from nkohub_events.domain.common import ROLE_LABELS, SPECIALTY_LABELS
from nkohub_events.domain.report import INDICATORS
from nkohub_shared.web.auth import StaffUser
from nkohub_shared.web.downloads import TABLE_CONTENT, tables_download

router = APIRouter(tags=["reports"])


@router.get("/reports/practice", response_model=None, responses=TABLE_CONTENT)
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
    roles = [{**r, "label": ROLE_LABELS.get(r["role"], r["role"])} for r in report["per_role"]]
    specialties = [
        {**s, "label": SPECIALTY_LABELS.get(s["specialty"], s["specialty"])}
        for s in report["per_specialty"]
    ]
    tables = {
        "Итоги": (INDICATOR_COLUMNS, indicators),
        "Встречи": (MEETUP_COLUMNS, report["per_meetup"]),
        "Роли": (ROLE_COLUMNS, roles),
        "Специалисты": (SPECIALTY_COLUMNS, specialties),
    }
    return tables_download(name, format, tables)
