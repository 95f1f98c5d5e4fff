"""Public: subscribing to the mailing (double opt-in)."""

from __future__ import annotations

from fastapi import APIRouter

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.subscribers import SubscribeRequest
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(tags=["notifications"])


@router.post("/subscriptions", status_code=202)
async def subscribe(body: SubscribeRequest, ctx: Context, client: ClientAddress) -> dict[str, str]:
    """Start a subscription: a confirmation link goes to the address (at most one per
    ``confirm_resend_hours``). The answer is the same whether or not the address is known
    (no account enumeration); 429 with ``Retry-After`` past the limits per client
    address and per e-mail address."""
    await ctx.subscriptions.subscribe(
        client=client,
        name=body.name,
        email=body.email,
        topics=body.topics,
        blog_categories=body.blog_categories,
        timezone=body.timezone,
    )
    return {"status": "confirmation_sent"}
