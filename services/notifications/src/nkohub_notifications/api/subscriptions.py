"""Public: subscribing to the mailing (double opt-in)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.subscribers import (
    DEFAULT_TIMEZONE,
    PublicName,
    TimeZone,
    Topic,
)
from nkohub_shared.text import Email
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(tags=["notifications"])


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PublicName
    email: Email
    topics: list[Topic] = Field(min_length=1, max_length=len(Topic))
    blog_categories: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    timezone: TimeZone = DEFAULT_TIMEZONE
    consent: Literal[True] = Field(description="consent to receive the mailing (152-ФЗ)")


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
