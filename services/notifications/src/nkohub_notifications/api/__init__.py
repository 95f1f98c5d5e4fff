"""HTTP routes of the notifications service, all under ``/api/v1``.

Public: subscribing (double opt-in). Staff (Bearer token): the delivery log and counts,
recipients, template previews, running the daily digest.
"""

from fastapi import APIRouter

from nkohub_notifications.api import messages, recipients, subscriptions, templates

router = APIRouter(prefix="/api/v1")
for _module in (subscriptions, messages, recipients, templates):
    router.include_router(_module.router)
