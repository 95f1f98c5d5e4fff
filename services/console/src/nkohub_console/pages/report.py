"""The practice report for any period: the results table of the passport (section 9)
beside the same period a year earlier, and charts drawn on the server as SVG —
participants and NGOs per meetup, consultations by specialty, posts and views by month;
CSV and XLSX downloads (the events service's own tables)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nkohub_console.domain.charts import Series, bar_chart
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.report import (
    Period,
    compared,
    month_label,
    specialty_series,
)
from nkohub_console.domain.vocabulary import SPECIALTIES
from nkohub_console.pages.common import StaffPage, download, redirect
from nkohub_console.service.clients import Services

router = APIRouter(prefix="/report")
Day = Annotated[str | None, Query(alias="from", max_length=10)]
To = Annotated[str | None, Query(max_length=10)]


def _period(first: str | None, last: str | None, errors: FormErrors) -> Period:
    this_year = Period.year(date.today().year)
    try:
        start = date.fromisoformat(first) if first else this_year.start
    except ValueError:
        errors.add("from", "дата в виде ГГГГ-ММ-ДД")
        start = this_year.start
    try:
        end = date.fromisoformat(last) if last else this_year.end
    except ValueError:
        errors.add("to", "дата в виде ГГГГ-ММ-ДД")
        end = this_year.end
    if end < start:
        errors.add("to", "конец периода раньше начала")
        end = start
    if (end - start).days > 3700:
        errors.add("to", "период не длиннее десяти лет")
        end = start
    return Period(start, end)


async def _monthly(services: Services, period: Period) -> tuple[list[int], list[int]]:
    months = period.months()
    stats = await asyncio.gather(*(services.publishing.stats(m.start, m.end) for m in months))
    posts = [int(s.get("posts_published", 0)) for s in stats]
    views = [int(s.get("views", s.get("post_views", 0))) for s in stats]
    return posts, views


@router.get("")
async def report(
    staff: StaffPage, first: Day = None, last: To = None, compare: str = "1"
) -> Response:
    errors = FormErrors()
    period = _period(first, last, errors)
    previous = period.before() if compare == "1" else None
    s = staff.services
    current_report, previous_report, monthly, monthly_before = await asyncio.gather(
        s.events.practice(period.start, period.end),
        s.events.practice(previous.start, previous.end) if previous else _none(),
        _monthly(s, period),
        _monthly(s, previous) if previous else _none(),
    )
    rows = compared(
        current_report["indicators"], previous_report["indicators"] if previous_report else None
    )
    charts = _charts(period, previous, current_report, previous_report, monthly, monthly_before)
    return staff.render(
        "report.html",
        status_code=422 if errors else 200,
        errors=errors,
        period=period,
        previous=previous,
        rows=rows,
        report=current_report,
        charts=charts,
        form={"from": period.start.isoformat(), "to": period.end.isoformat(), "compare": compare},
    )


async def _none() -> None:
    return None


def _charts(
    period: Period,
    previous: Period | None,
    current: dict[str, Any],
    before: dict[str, Any] | None,
    monthly: tuple[list[int], list[int]],
    monthly_before: tuple[list[int], list[int]] | None,
) -> list[Any]:
    meetups = current["per_meetup"]
    charts = [
        bar_chart(
            "Участники и НКО на встречах",
            [f"{m['date'][8:10]}.{m['date'][5:7]} {m['title']}" for m in meetups],
            [
                Series("участники", [m["participants"] for m in meetups]),
                Series("НКО", [m["ngos"] for m in meetups]),
            ],
        )
    ]
    keys, mine, theirs = specialty_series(
        current["per_specialty"], before["per_specialty"] if before else []
    )
    series = [Series(period.label, mine)]
    if previous is not None:
        series.append(Series(previous.label, theirs))
    charts.append(
        bar_chart("Консультации по специальностям", [SPECIALTIES.get(k, k) for k in keys], series)
    )
    months = [month_label(m) for m in period.months()]
    for title, index in (("Записи в блоге по месяцам", 0), ("Просмотры блога по месяцам", 1)):
        series = [Series(period.label, monthly[index])]
        if previous is not None and monthly_before is not None:
            series.append(Series(previous.label, monthly_before[index][: len(months)]))
        charts.append(bar_chart(title, months, series))
    return charts


@router.get(".{fmt}")
async def report_file(staff: StaffPage, fmt: str, first: Day = None, last: To = None) -> Response:
    if fmt not in ("csv", "xlsx"):
        return redirect("/report")
    period = _period(first, last, FormErrors())
    got = await staff.services.events.practice_file(period.start, period.end, fmt)
    return download(got.content, got.media_type, got.filename)
