"""«Оповещения»: to whom alerts to staff go (the library's address, chosen staff
addresses), which kinds, the waitlist threshold. Everyone sees them; admins change them
(the notifications service requires an admin's token for that)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import AdminForm, Staff, StaffPage, redirect, text, values
from nkohub_console.service.clients import ServiceRefused

router = APIRouter(prefix="/messages/alerts")
KINDS = ("new_organization", "question", "waitlist", "message_failed")


@router.get("")
async def alerts(staff: StaffPage) -> Response:
    settings = await staff.services.notifications.alert_settings()
    form = {
        "library_email": settings.get("library_email") or "",
        "staff_emails": "\n".join(settings.get("staff_emails") or []),
        "waitlist_threshold": str(settings.get("waitlist_threshold", 10)),
        **{f"kind-{k}": "on" for k, on in (settings.get("kinds") or {}).items() if on},
    }
    return _page(staff, settings["labels"], form)


@router.post("")
async def change(staff_form: AdminForm) -> Response:
    staff, form = staff_form
    notifications = staff.services.notifications
    threshold = text(form, "waitlist_threshold")
    errors = FormErrors()
    if not threshold.isdigit():
        errors.add("waitlist_threshold", "целое число, 0 — не оповещать")
    body = {
        "library_email": text(form, "library_email") or None,
        "staff_emails": [a.strip() for a in text(form, "staff_emails").split() if a.strip()],
        "kinds": {k: bool(form.get(f"kind-{k}")) for k in KINDS},
        "waitlist_threshold": int(threshold) if threshold.isdigit() else 0,
    }
    if not errors:
        try:
            await notifications.save_alert_settings(body)
        except ServiceRefused as exc:
            if exc.status != 422:
                raise
            errors = exc.errors()
    if errors:
        labels = (await notifications.alert_settings())["labels"]
        return _page(staff, labels, values(form), errors, 422)
    return redirect("/messages/alerts", "saved")


def _page(
    staff: Staff,
    labels: dict[str, str],
    form: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return staff.render(
        "alerts.html",
        status_code=status_code,
        labels=labels,
        form=form,
        errors=errors or FormErrors(),
        is_admin=staff.current.is_admin,
    )
