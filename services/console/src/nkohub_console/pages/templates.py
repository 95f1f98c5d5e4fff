"""«Шаблоны писем»: the list, the edit form (subject, HTML and text bodies, the variables
they may use), a preview on sample data (the HTML in a sandboxed ``<iframe srcdoc>``:
nothing in it runs), saving (refusals shown next to the part, with the line), back to
the default, the history with restore. No JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import Staff, StaffForm, StaffPage, redirect, text
from nkohub_console.service.clients import ServiceRefused

router = APIRouter(prefix="/messages/templates")
PARTS = ("subject", "html", "text")


@router.get("")
async def templates(staff: StaffPage) -> Response:
    listed = await staff.services.notifications.templates()
    return staff.render("templates.html", templates=listed)


@router.get("/{name}")
async def template(name: str, staff: StaffPage) -> Response:
    return await _editor(staff, name)


@router.get("/{name}/html")
async def template_html(name: str, staff: StaffPage) -> HTMLResponse:
    """The e-mail as used now, as its own page (the console's CSP: nothing in it runs)."""
    preview = await staff.services.notifications.preview(name)
    return HTMLResponse(preview["html"])


@router.post("/{name}")
async def save_or_preview(name: str, staff_form: StaffForm) -> Response:
    """«Предпросмотр» renders the draft; «Сохранить» saves it. A refusal comes back next
    to its part, with the draft as typed."""
    staff, form = staff_form
    draft = {part: _part(form, part) for part in PARTS}
    notifications = staff.services.notifications
    try:
        if text(form, "action") == "preview":
            preview = await notifications.preview_draft(name, draft)
            return await _editor(staff, name, draft=draft, preview=preview)
        await notifications.save_template(name, draft)
    except ServiceRefused as exc:
        if exc.status != 422:
            raise
        errors = FormErrors()
        errors.add(exc.field if exc.field in PARTS else None, exc.message)
        return await _editor(staff, name, draft=draft, errors=errors, status_code=422)
    return redirect(f"/messages/templates/{name}", "saved")


@router.post("/{name}/reset")
async def reset(name: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.services.notifications.reset_template(name)
    return redirect(f"/messages/templates/{name}", "template_reset")


@router.post("/{name}/history/{entry_id}/restore")
async def restore(name: str, entry_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.services.notifications.restore_template(name, entry_id)
    return redirect(f"/messages/templates/{name}", "restored")


def _part(form: Any, part: str) -> str:
    """A part as typed; textareas send CRLF line ends, the templates keep LF."""
    value = form.get(part)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


async def _editor(
    staff: Staff,
    name: str,
    *,
    draft: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    notifications = staff.services.notifications
    shown = await notifications.template(name)
    history = await notifications.template_history(name)
    names = await staff.ctx.accounts.names({e["by"] for e in history if e.get("by")})
    if preview is None and draft is None:
        preview = await notifications.preview(name)
    return staff.render(
        "template.html",
        status_code=status_code,
        t=shown,
        form=draft or {part: shown[part] for part in PARTS},
        preview=preview,
        history=history,
        names=names,
        errors=errors or FormErrors(),
    )
