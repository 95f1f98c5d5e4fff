"""Messages: the delivery log with filters, one message with its history and a retry;
recipients and their subscriptions. (Templates: ``pages.templates``; alerts:
``pages.alerts``.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nkohub_console.pages.common import StaffForm, StaffPage, redirect

router = APIRouter(prefix="/messages")
Short = Annotated[str | None, Query(max_length=254)]
PAGE = 50


@router.get("")
async def delivery_log(
    staff: StaffPage,
    status: Short = None,
    recipient: Short = None,
    template: Short = None,
    meetup_id: Short = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    notifications = staff.services.notifications
    filters = {"recipient": recipient, "template": template, "meetup_id": meetup_id}
    log = await notifications.messages({**filters, "status": status}, limit=PAGE, offset=offset)
    counts = await notifications.message_counts(filters)
    templates = await notifications.templates()
    form = {k: v or "" for k, v in {**filters, "status": status}.items()}
    query = "&".join(f"{k}={v}" for k, v in form.items() if v)
    return staff.render(
        "messages.html",
        log=log,
        counts=counts,
        templates=templates,
        form=form,
        query=query,
        offset=offset,
        page=PAGE,
    )


@router.get("/recipients")
async def recipients(staff: StaffPage, email: Short = None, status: Short = None) -> Response:
    found = await staff.services.notifications.recipients({"email": email, "status": status})
    return staff.render(
        "recipients.html", found=found, form={"email": email or "", "status": status or ""}
    )


@router.get("/recipients/{recipient_id}")
async def recipient(recipient_id: str, staff: StaffPage) -> Response:
    found = await staff.services.notifications.recipient(recipient_id)
    return staff.render("recipient.html", r=found)


@router.get("/{message_id}")
async def message(message_id: str, staff: StaffPage) -> Response:
    found = await staff.services.notifications.message(message_id)
    return staff.render("message.html", m=found)


@router.post("/{message_id}/retry")
async def retry(message_id: str, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.services.notifications.retry(message_id)
    return redirect(f"/messages/{message_id}", "retried")
