"""Organizations: search with filters; self-registrations to approve (or merge into the
official twin) or reject; one organization with its history and needs, and its edit
form; importing a ministry file with its progress; the needs report with charts; people
and their consents; erasure (admins)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from nkohub_console.domain.charts import Series, bar_chart
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.vocabulary import ACTIVITY_AREAS, LEGAL_FORMS
from nkohub_console.pages.common import (
    AdminForm,
    Staff,
    StaffForm,
    StaffPage,
    checked_form,
    download,
    history_of,
    redirect,
    text,
    values,
)
from nkohub_console.service.clients import ServiceRefused

router = APIRouter(prefix="/organizations")
Short = Annotated[str | None, Query(max_length=200)]
STATUSES = {"active": "действует", "liquidated": "ликвидирована", "inactive": "не действует"}
EDITABLE = (
    "full_name",
    "short_name",
    "address",
    "city",
    "website",
    "public_phone",
    "public_email",
    "description",
)
IMPORT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("")
async def organizations(
    staff: StaffPage,
    q: Short = None,
    activity_area: Short = None,
    legal_form: Short = None,
    status: Short = None,
    never_came: bool = False,
    awaiting_approval: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    filters: dict[str, Any] = {
        "q": q,
        "activity_area": activity_area,
        "legal_form": legal_form,
        "status": status,
        "never_came": "true" if never_came else None,
        "awaiting_approval": "true" if awaiting_approval else None,
    }
    found = await staff.services.registry.organizations(filters, page=page)
    form = {k: v or "" for k, v in filters.items()}
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return staff.render(
        "organizations.html",
        found=found,
        form=form,
        page=page,
        query=query,
        legal_forms=LEGAL_FORMS,
        areas=ACTIVITY_AREAS,
        statuses=STATUSES,
    )


@router.get("/export.{fmt}")
async def export(fmt: str, staff: StaffPage, q: Short = None) -> Response:
    if fmt not in ("csv", "xlsx"):
        return redirect("/organizations")
    got = await staff.services.registry.export(fmt, {"q": q})
    return download(got.content, got.media_type, got.filename)


# -- self-registrations ------------------------------------------------------------------


@router.get("/proposals")
async def proposals(staff: StaffPage, status: str = "pending") -> Response:
    found = await staff.services.registry.proposals(status)
    return staff.render("proposals.html", found=found, status=status)


@router.get("/proposals/{proposal_id}")
async def proposal(proposal_id: str, staff: StaffPage) -> Response:
    found = await staff.services.registry.proposal(proposal_id)
    return staff.render("proposal.html", p=found, legal_forms=LEGAL_FORMS)


@router.post("/proposals/{proposal_id}/{action}")
async def decide(proposal_id: str, action: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    if action not in ("approve", "reject"):
        return redirect(f"/organizations/proposals/{proposal_id}")
    body = None
    chosen = [str(v) for v in form.getlist("fields") if isinstance(v, str)]
    if action == "approve" and chosen:
        body = {"fields": chosen}
    done = await staff.services.registry.decide_proposal(proposal_id, action, body)
    if action == "approve" and done.get("organization_id"):
        return redirect(f"/organizations/{done['organization_id']}", "approved")
    return redirect("/organizations/proposals", "approved" if action == "approve" else "rejected")


# -- import ------------------------------------------------------------------------------


@router.get("/import")
async def import_form(staff: StaffPage) -> Response:
    return staff.render("import.html", jobs=await staff.ctx.imports.recent(), job=None)


@router.post("/import")
async def start_import(request: Request, staff: StaffPage) -> Response:
    form = await checked_form(request, staff)
    upload = form.get("file")
    errors = FormErrors()
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", "выберите файл CSV или XLSX")
    else:
        suffix = "." + upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if suffix not in IMPORT_TYPES:
            errors.add("file", "файл должен быть CSV или XLSX")
    if errors:
        jobs = await staff.ctx.imports.recent()
        return staff.render("import.html", status_code=422, errors=errors, jobs=jobs, job=None)
    assert isinstance(upload, UploadFile) and upload.filename
    content = await upload.read()
    job_id = await staff.ctx.imports.start(
        staff.services.registry,
        filename=upload.filename,
        content=content,
        media_type=IMPORT_TYPES[suffix],
        account_id=staff.account["_id"],
    )
    return redirect(f"/organizations/import/{job_id}")


@router.get("/import/{job_id}")
async def import_job(job_id: str, staff: StaffPage) -> Response:
    job = await staff.ctx.imports.get(job_id)
    if job is None:
        return redirect("/organizations/import")
    return staff.render("import.html", job=job, jobs=[])


# -- the needs report and people ---------------------------------------------------------


@router.get("/needs")
async def needs(staff: StaffPage) -> Response:
    report = await staff.services.registry.needs_report()
    charts = [
        bar_chart(
            "Что нужно НКО (организаций)",
            [r["label"] for r in report["needs"]],
            [Series("ответили", [r["count"] for r in report["needs"]])],
            height=300,
        ),
        bar_chart(
            "Какие специалисты нужны (организаций)",
            [r["label"] for r in report["specialists"]],
            [Series("ответили", [r["count"] for r in report["specialists"]])],
            height=300,
        ),
    ]
    return staff.render("needs.html", report=report, charts=charts)


@router.get("/people")
async def people(staff: StaffPage, organization_id: Short = None) -> Response:
    registry = staff.services.registry
    found = await registry.people(organization_id)
    requests = await registry.erasure_requests()
    return staff.render(
        "people.html", found=found, organization_id=organization_id, requests=requests
    )


@router.post("/people/{person_id}/erase")
async def erase(person_id: str, staff_form: AdminForm) -> Response:
    staff, form = staff_form
    if text(form, "confirm") != "удалить":
        errors = FormErrors()
        errors.add(None, "Для удаления впишите слово «удалить».")
        found = await staff.services.registry.people(None)
        return staff.render("people.html", status_code=422, found=found, errors=errors)
    await staff.services.registry.erase_person(person_id)
    return redirect("/organizations/people", "erased")


# -- one organization --------------------------------------------------------------------


async def _organization_page(
    staff: Staff,
    organization_id: str,
    *,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    registry = staff.services.registry
    org, people_found = await asyncio.gather(
        registry.organization(organization_id), registry.people(organization_id)
    )
    history = org.get("history")
    who = await history_of(staff, org)
    with_us = history if isinstance(history, dict) else None
    return staff.render(
        "organization.html",
        status_code=status_code,
        org=org,
        people=people_found.get("items", []),
        who=who,
        with_us=with_us,
        errors=errors or FormErrors(),
        form=form or {k: org.get(k) or "" for k in EDITABLE},
        legal_forms=LEGAL_FORMS,
        statuses=STATUSES,
    )


@router.get("/{organization_id}")
async def organization(organization_id: str, staff: StaffPage) -> Response:
    return await _organization_page(staff, organization_id)


@router.post("/{organization_id}")
async def save_organization(organization_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    fields = {k: (text(form, k) or None) for k in EDITABLE}
    fields["full_name"] = text(form, "full_name")
    try:
        await staff.services.registry.update_organization(organization_id, fields)
    except ServiceRefused as exc:
        return await _organization_page(
            staff, organization_id, errors=exc.errors(), form=typed, status_code=exc.status
        )
    return redirect(f"/organizations/{organization_id}", "saved")


@router.post("/{organization_id}/approve")
async def approve(organization_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.services.registry.approve_organization(organization_id)
    return redirect(f"/organizations/{organization_id}", "approved")
