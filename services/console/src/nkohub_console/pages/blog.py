"""Blog and grants: posts (list, editor with a live Markdown preview, publish, schedule,
unpublish), the auto-drafted meetup announcements and reports to review, the grants
calendar (competitions), foundations and documents."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from nkohub_console.domain import posts as rules
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.meetup_form import copy_start
from nkohub_console.pages.common import (
    Staff,
    StaffForm,
    StaffPage,
    checked_form,
    history_of,
    redirect,
    text,
    values,
)
from nkohub_console.service.clients import ServiceRefused
from nkohub_console.service.markdown import preview_html

router = APIRouter(prefix="/blog")
TABS = {"review": "ждут проверки", "draft": "черновики", "scheduled": "запланированы"}
TABS |= {"published": "опубликованы", "archived": "в архиве"}
CATALOGUES = {"grants": "competitions", "foundations": "foundations", "documents": "documents"}


@router.get("")
async def posts(staff: StaffPage, show: str = "review") -> Response:
    publishing = staff.services.publishing
    status = "draft" if show == "review" else show if show in TABS else None
    found = await publishing.posts(status)
    items = found["items"]
    if show == "review":
        items = [p for p in items if rules.auto_drafted(p)]
    review = [p for p in (await publishing.posts("draft"))["items"] if rules.auto_drafted(p)]
    return staff.render(
        "posts.html",
        posts=items,
        show=show,
        tabs=TABS,
        review_count=len(review),
        public_url=staff.ctx.settings.public_url("publishing") + "/",
    )


async def _editor(
    staff: Staff,
    *,
    post: dict[str, Any] | None,
    form: dict[str, Any],
    errors: FormErrors | None = None,
    preview: str | None = None,
    status_code: int = 200,
) -> Response:
    categories, images = await asyncio.gather(
        staff.services.publishing.categories(), staff.services.publishing.files("image", 200)
    )
    return staff.render(
        "post_form.html",
        status_code=status_code,
        post=post,
        form=form,
        errors=errors or FormErrors(),
        preview=preview if preview is not None else preview_html(form.get("body", "")),
        categories={c["key"]: c["label"] for c in categories},
        history=await history_of(staff, post) if post else [],
        auto=rules.auto_drafted(post) if post else False,
        cover_images=images["items"],
    )


def _fields(typed: dict[str, Any]) -> dict[str, Any]:
    """The editor's fields, with the cover chosen among the uploaded images."""
    return {**rules.post_fields(typed), "cover_file_id": typed.get("cover_file_id") or None}


@router.get("/new")
async def new_post(staff: StaffPage) -> Response:
    return await _editor(staff, post=None, form={"category": "ngo-news"})


@router.post("/preview")
async def preview(request: Request, staff: StaffPage) -> HTMLResponse:
    """The live preview (htmx posts the body as it is typed; the CSRF token rides in the
    ``X-CSRF-Token`` header)."""
    form = await checked_form(request, staff)
    return HTMLResponse(preview_html(text(form, "body")))


@router.post("/new")
async def create_post(staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    fields = _fields(typed)
    if "preview" in form:
        return await _editor(staff, post=None, form=typed)
    try:
        created = await staff.services.publishing.create_post(fields)
    except ServiceRefused as exc:
        return await _editor(
            staff, post=None, form=typed, errors=exc.errors(), status_code=exc.status
        )
    return redirect(f"/blog/{created['id']}", "created")


# -- grants, foundations, documents (before /{post_id}) ------------------------------------


@router.get("/grants")
async def grants(staff: StaffPage) -> Response:
    return await _catalogues(staff)


async def _catalogues(
    staff: Staff,
    errors: FormErrors | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    p = staff.services.publishing
    competitions, foundations, documents, pdfs = await asyncio.gather(
        p.catalogue("competitions"),
        p.catalogue("foundations"),
        p.catalogue("documents"),
        p.files("pdf", 200),
    )
    competitions.sort(key=lambda c: c.get("closes_at") or "")
    return staff.render(
        "grants.html",
        status_code=status_code,
        competitions=competitions,
        foundations=foundations,
        documents=documents,
        pdfs={f["id"]: f"{f['title']} ({f['name']})" for f in pdfs["items"]},
        errors=errors or FormErrors(),
        form=form or {},
    )


def _catalogue_fields(kind: str, form: dict[str, str]) -> dict[str, Any]:
    def day(name: str) -> str | None:
        value = form.get(name, "").strip()
        return copy_start(value, "23:59") if value else None

    if kind == "competitions":
        fields = {
            "name": form.get("name", "").strip(),
            "operator": form.get("operator", "").strip(),
            "closes_at": day("closes_at"),
            "opens_at": day("opens_at"),
            "url": form.get("url", "").strip() or None,
            "max_amount": int(form["max_amount"]) if form.get("max_amount", "").isdigit() else None,
            "region": form.get("region", "").strip() or None,
        }
    elif kind == "foundations":
        fields = {
            "name": form.get("name", "").strip(),
            "url": form.get("url", "").strip() or None,
            "description": form.get("description", "").strip() or None,
        }
    else:
        fields = {
            "title": form.get("title", "").strip(),
            "url": form.get("url", "").strip() or None,
            "file_id": form.get("file_id", "").strip() or None,  # an uploaded PDF instead
            "issuer": form.get("issuer", "").strip() or None,
        }
    return {k: v for k, v in fields.items() if v is not None}


@router.post("/{kind}/add")
async def add_to_catalogue(kind: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    if kind not in CATALOGUES:
        return redirect("/blog/grants")
    # the form's fields carry the list's prefix (``documents-title``), so errors find them
    typed = {k.removeprefix(f"{kind}-"): v for k, v in values(form).items()}
    try:
        await staff.services.publishing.add_to_catalogue(
            CATALOGUES[kind], _catalogue_fields(CATALOGUES[kind], typed)
        )
    except ServiceRefused as exc:
        prefixed = {f"{kind}-{k}": v for k, v in typed.items()}
        errors = FormErrors()
        for name, message in exc.errors().fields.items():
            errors.add(f"{kind}-{name}", message)
        errors.general.extend(exc.errors().general)
        return await _catalogues(staff, errors, prefixed, exc.status)
    return redirect("/blog/grants", "created")


@router.post("/{kind}/{item_id}/delete")
async def delete_from_catalogue(kind: str, item_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    if kind in CATALOGUES:
        await staff.services.publishing.delete_catalogue_item(CATALOGUES[kind], item_id)
    return redirect("/blog/grants", "deleted")


@router.get("/grants/{item_id}")
async def competition(item_id: str, staff: StaffPage) -> Response:
    item = await staff.services.publishing.catalogue_item("competitions", item_id)
    return staff.render("competition.html", item=item)


# -- one post ----------------------------------------------------------------------------


@router.get("/{post_id}")
async def post_page(post_id: str, staff: StaffPage) -> Response:
    post = await staff.services.publishing.post_of(post_id)
    form = {**rules.form_of(post), "cover_file_id": post.get("cover_file_id") or ""}
    return await _editor(staff, post=post, form=form)


@router.post("/{post_id}")
async def save_post(post_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    typed = values(form)
    publishing = staff.services.publishing
    post = await publishing.post_of(post_id)
    if "preview" in form:
        return await _editor(staff, post=post, form=typed)
    action = text(form, "action") or "save"
    try:
        await publishing.update_post(post_id, _fields(typed))
        if action == "publish":
            await publishing.publish_post(post_id)
        elif action == "schedule":
            when = text(form, "publish_at")
            if not when:
                errors = FormErrors()
                errors.add("publish_at", "укажите дату и время публикации")
                return await _editor(staff, post=post, form=typed, errors=errors, status_code=422)
            day, clock = when.split("T") if "T" in when else (when, "09:00")
            await publishing.schedule_post(post_id, copy_start(day, clock))
    except ServiceRefused as exc:
        errors = exc.errors()
        return await _editor(staff, post=post, form=typed, errors=errors, status_code=exc.status)
    done = {"publish": "published", "schedule": "scheduled"}.get(action, "saved")
    return redirect(f"/blog/{post_id}", done)


@router.post("/{post_id}/unpublish")
async def unpublish(post_id: str, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    to = "archived" if text(form, "to") == "archived" else "draft"
    await staff.services.publishing.unpublish_post(post_id, to)
    return redirect(f"/blog/{post_id}", "unpublished")


@router.post("/{post_id}/delete")
async def delete(post_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.services.publishing.delete_post(post_id)
    return redirect("/blog?show=draft", "deleted")
