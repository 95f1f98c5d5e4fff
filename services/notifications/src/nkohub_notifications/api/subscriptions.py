"""Public: subscribing to the mailing (double opt-in)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.subscribers import DEFAULT_TIMEZONE, Name, TimeZone, Topic
from nkohub_shared.text import Email

router = APIRouter(tags=["notifications"])


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    email: Email
    topics: list[Topic] = Field(min_length=1)
    blog_categories: list[str] = Field(default_factory=list, max_length=50)
    timezone: TimeZone = DEFAULT_TIMEZONE
    consent: Literal[True] = Field(description="consent to receive the mailing (152-ФЗ)")


@router.post("/subscriptions", status_code=202)
async def subscribe(body: SubscribeRequest, ctx: Context) -> dict[str, str]:
    """Start a subscription: a confirmation link goes to the address. The answer is the
    same whether or not the address is known (no account enumeration)."""
    await ctx.subscriptions.subscribe(
        name=body.name,
        email=body.email,
        topics=body.topics,
        blog_categories=body.blog_categories,
        timezone=body.timezone,
    )
    return {"status": "confirmation_sent"}
