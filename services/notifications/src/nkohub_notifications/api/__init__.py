"""HTTP routes of the notifications service, all under ``/api/v1``.

Public: subscribing (double opt-in). Staff (Bearer token): the delivery log and counts,
recipients, template previews, running the daily digest, mailings.
"""

from fastapi import APIRouter

from nkohub_notifications.api import mailings, messages, recipients, subscriptions, templates

router = APIRouter(prefix="/api/v1")
for _module in (subscriptions, messages, recipients, templates, mailings):
    router.include_router(_module.router)
