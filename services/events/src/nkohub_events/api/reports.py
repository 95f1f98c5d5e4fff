"""The practice report (staff): JSON, CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from nkohub_events.api.deps import Context
from nkohub_events.domain.common import ROLE_LABELS, SPECIALTY_LABELS
from nkohub_events.exports import XLSX, to_xlsx
from nkohub_events.repository.report import INDICATORS, practice_report
from nkohub_shared.errors import InvalidInput
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["reports"])

MEETUP_COLUMNS = ("date", "title", "participants", "attendances", "ngos", "consultations")


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
    if to < from_:
        raise InvalidInput("the period must end on or after its start", field="to")
    if (to - from_).days > 3700:
        raise InvalidInput("the period is at most ten years", field="to")
    report = await practice_report(ctx.runtime.db, from_, to)
    name = f"practice-{from_}-{to}"
    if format == "json":
        return report
    indicators = [
        {"indicator": key, "label": label, "value": report["indicators"][key]}
        for key, label in INDICATORS
    ]
    roles = [{**r, "label": ROLE_LABELS.get(r["role"], r["role"])} for r in report["per_role"]]
    specialties = [
        {**s, "label": SPECIALTY_LABELS.get(s["specialty"], s["specialty"])}
        for s in report["per_specialty"]
    ]
    sections = {
        "Итоги": (("indicator", "label", "value"), indicators),
        "Встречи": (MEETUP_COLUMNS, report["per_meetup"]),
        "Роли": (("role", "label", "participants", "attendances"), roles),
        "Специалисты": (("specialty", "label", "consultations"), specialties),
    }
    if format == "xlsx":
        return Response(
            to_xlsx(sections),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"Результаты практики за {from_:%d.%m.%Y}–{to:%d.%m.%Y}"])
    for title, (columns, rows) in sections.items():
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return Response(
        ("\ufeff" + buffer.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
