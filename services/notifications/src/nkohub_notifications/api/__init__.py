"""HTTP routes of the notifications service, all under ``/api/v1``.

Public: subscribing (double opt-in). Staff (Bearer token): the delivery log and counts,
recipients, templates (edit, preview, history), running the daily digest, mailings,
alert settings.
"""

from fastapi import APIRouter

from nkohub_notifications.api import (
    alerts,
    mailings,
    messages,
    recipients,
    subscriptions,
    templates,
)

router = APIRouter(prefix="/api/v1")
for _module in (subscriptions, messages, recipients, templates, mailings, alerts):
    router.include_router(_module.router)
