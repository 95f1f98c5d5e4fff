"""Staff: recipients (subscribers) and their preferences."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from nkohub_notifications.api.deps import Context, Limit
from nkohub_notifications.domain.subscribers import (
    SubscriberChanges,
    SubscriberFields,
    SubscriberStatus,
    Topic,
)
from nkohub_shared.errors import Forbidden
from nkohub_shared.web.auth import AdminUser, Principal, Role, StaffUser
from nkohub_shared.web.paging import Offset

router = APIRouter(tags=["notifications: staff"])


class RecipientCreate(SubscriberFields):
    mailing_consent: bool = Field(
        description="the person agreed to the mailing (staff attest it, e.g. a paper form)"
    )


def recipient_out(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["id"] = doc["_id"]
    return out


@router.get("/staff/recipients")
async def list_recipients(
    ctx: Context,
    _: StaffUser,
    status: SubscriberStatus | None = None,
    topic: Topic | None = None,
    email: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = await ctx.subscriptions.recipients(
        status=status, topic=topic, email=email, offset=offset, limit=limit
    )
    return {"items": [recipient_out(doc) for doc in items], "total": total}


@router.post("/staff/recipients", status_code=201)
async def create_recipient(body: RecipientCreate, ctx: Context, user: StaffUser) -> dict[str, Any]:
    """A recipient by hand; one with a webhook (a call to another server) is the admin's."""
    _webhooks_are_for_admins(user, body.webhook_url)
    fields = SubscriberFields.model_validate(body.model_dump(exclude={"mailing_consent"}))
    doc = await ctx.subscriptions.create_recipient(fields, consent=body.mailing_consent)
    return recipient_out(doc)


@router.get("/staff/recipients/{recipient_id}")
async def get_recipient(recipient_id: str, ctx: Context, _: StaffUser) -> dict[str, Any]:
    return recipient_out(await ctx.subscriptions.recipient(recipient_id))


@router.patch("/staff/recipients/{recipient_id}")
async def update_recipient(
    recipient_id: str, body: SubscriberChanges, ctx: Context, user: StaffUser
) -> dict[str, Any]:
    _webhooks_are_for_admins(user, body.webhook_url)
    return recipient_out(await ctx.subscriptions.change_recipient(recipient_id, body))


@router.delete("/staff/recipients/{recipient_id}", status_code=204)
async def delete_recipient(recipient_id: str, ctx: Context, _: AdminUser) -> None:
    """Remove every copy of the recipient (subscriber, registrations, reminders,
    messages), as an erasure does (admin)."""
    await ctx.erasure.delete_recipient(recipient_id)


def _webhooks_are_for_admins(user: Principal, webhook_url: object) -> None:
    if webhook_url and user.role is not Role.ADMIN:
        raise Forbidden("адрес вебхука задаёт администратор", field="webhook_url")
