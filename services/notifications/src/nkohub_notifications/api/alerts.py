"""Staff: the settings of alerts to staff (to whom, which kinds, the waitlist threshold).
Reading takes a staff token; changing an admin's — it decides which outside addresses
receive what happens in the service, as giving a recipient a webhook does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.alerts import KIND_LABELS, MAX_STAFF_EMAILS, AlertSettings
from nkohub_shared.web.auth import AdminUser, StaffUser

router = APIRouter(tags=["notifications: staff"])


class AlertSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    library_email: str | None = Field(default=None, max_length=254)
    staff_emails: list[str] = Field(default=[], max_length=MAX_STAFF_EMAILS)
    kinds: dict[str, bool] = Field(default={}, description="question, waitlist, message_failed")
    waitlist_threshold: int = Field(default=10, ge=0, le=10_000, description="0: never")


def settings_out(settings: AlertSettings) -> dict[str, Any]:
    return {
        **settings.document(),
        "labels": {k.value: label for k, label in KIND_LABELS.items()},
    }


@router.get("/staff/alerts")
async def alert_settings(ctx: Context, _: StaffUser) -> dict[str, Any]:
    return settings_out(await ctx.alerts.settings())


@router.put("/staff/alerts")
async def change_alert_settings(
    body: AlertSettingsIn, ctx: Context, admin: AdminUser
) -> dict[str, Any]:
    changed = await ctx.alerts.change(
        library_email=body.library_email,
        staff_emails=body.staff_emails,
        kinds=body.kinds,
        waitlist_threshold=body.waitlist_threshold,
        by=admin.sub,
    )
    return settings_out(changed)
