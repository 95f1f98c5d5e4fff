"""HTTP routes of the notifications service (prefix `/api/v1`).

Public: subscribing (double opt-in). Staff (Bearer token): the delivery log and counts,
recipients, template previews, running the daily digest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo.errors import DuplicateKeyError

from nkohub_notifications import digest
from nkohub_notifications.domain import (
    EMAIL_PATTERN,
    Status,
    SubscriberFields,
    SubscriberStatus,
    Topic,
    TopicChoice,
    known_zone,
    new_id,
    now,
    subscriber_document,
)
from nkohub_notifications.notify import Recipient
from nkohub_notifications.rendering import SPECS, sample_context
from nkohub_notifications.repository import MESSAGES, SUBSCRIBERS
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.privacy import person_key
from nkohub_shared.web.app import ServiceContext
from nkohub_shared.web.auth import StaffUser

router = APIRouter(prefix="/api/v1", tags=["notifications"])
staff = APIRouter(prefix="/api/v1/staff", tags=["notifications: staff"])


# --- public: subscribe -----------------------------------------------------------------


class SubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    topics: list[Topic] = Field(min_length=1)
    blog_categories: list[str] = Field(default_factory=list, max_length=50)
    timezone: str = Field(default="Europe/Samara", max_length=64)
    consent: Literal[True] = Field(description="consent to receive the mailing (152-ФЗ)")

    _zone = field_validator("timezone")(lambda cls, v: known_zone(v))


@router.post("/subscriptions", status_code=202)
async def subscribe(body: SubscribeRequest, ctx: ServiceContext) -> dict[str, str]:
    """Start a subscription: a confirmation link goes to the address. The answer is the
    same whether or not the address is known (no account enumeration)."""
    topics = {t.value: TopicChoice().model_dump() for t in body.topics}
    key = person_key(body.email)
    subscribers = ctx.db[SUBSCRIBERS]
    existing = await subscribers.find_one({"person_key": key})
    pending = {"pending_topics": topics, "pending_categories": body.blog_categories}
    if existing is None:
        fields = SubscriberFields(name=body.name, email=body.email, timezone=body.timezone)
        doc = subscriber_document(
            fields, status=SubscriberStatus.PENDING, source="public", consent=False
        )
        doc.update(pending)
        try:
            await subscribers.insert_one(doc)
            existing = doc
        except DuplicateKeyError:
            existing = await subscribers.find_one({"person_key": key})
    if existing is None:
        return {"status": "confirmation_sent"}
    doc_id = existing["_id"]
    await subscribers.update_one({"_id": doc_id}, {"$set": pending})
    recipient = Recipient(key, existing["name"], existing["email"])
    message = ctx.notifier.email(
        cause=f"subscribe:{new_id()}",
        recipient=recipient,
        template="subscription_confirm",
        context={"confirm_url": ctx.notifier.links.confirm(doc_id)},
    )
    await ctx.notifier.queue([message])
    return {"status": "confirmation_sent"}


# --- staff: delivery log ---------------------------------------------------------------


def _message_filter(
    recipient: str | None,
    status: Status | None,
    template: str | None,
    meetup_id: str | None,
    channel: str | None,
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if recipient:
        query["recipient_key"] = (
            person_key(recipient) if "@" in recipient else recipient.strip().lower()
        )
    if status:
        query["status"] = status.value
    if template:
        query["template"] = template
    if meetup_id:
        query["meetup_id"] = meetup_id
    if channel:
        query["channel"] = channel
    return query


MESSAGE_LIST_FIELDS = {
    "text": 0,
    "html": 0,
    "attachments": 0,
    "payload": 0,
    "_outbox": 0,
    "_applied": 0,
}


def _message_out(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    for name in ("_outbox", "_applied"):
        doc.pop(name, None)
    if "attachments" in doc:
        doc["attachments"] = [
            {k: v for k, v in a.items() if k != "content"} | {"size": len(a.get("content", ""))}
            for a in doc["attachments"]
        ]
    return doc


Recipient_ = Annotated[str | None, Query(description="e-mail address or person key")]


@staff.get("/messages")
async def delivery_log(
    ctx: ServiceContext,
    _: StaffUser,
    recipient: Recipient_ = None,
    status: Status | None = None,
    template: str | None = None,
    meetup_id: str | None = None,
    channel: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Messages, newest first, with the total matching the filters."""
    query = _message_filter(recipient, status, template, meetup_id, channel)
    cursor = (
        ctx.db[MESSAGES]
        .find(query, MESSAGE_LIST_FIELDS)
        .sort("created_at", -1)
        .skip(offset)
        .limit(limit)
    )
    items = [_message_out(doc) async for doc in cursor]
    total = await ctx.db[MESSAGES].count_documents(query)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@staff.get("/messages/counts")
async def delivery_counts(
    ctx: ServiceContext,
    _: StaffUser,
    recipient: Recipient_ = None,
    template: str | None = None,
    meetup_id: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """How many messages are in each status (for the same filters as the log)."""
    query = _message_filter(recipient, None, template, meetup_id, channel)
    counts = {s.value: 0 for s in Status}
    pipeline = [{"$match": query}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    async for row in await ctx.db[MESSAGES].aggregate(pipeline):
        counts[row["_id"]] = row["n"]
    return {"counts": counts, "total": sum(counts.values())}


@staff.get("/messages/{message_id}")
async def message_detail(message_id: str, ctx: ServiceContext, _: StaffUser) -> dict[str, Any]:
    doc = await ctx.db[MESSAGES].find_one({"_id": message_id})
    if doc is None:
        raise NotFound("no such message", field="message_id")
    return _message_out(doc)


@staff.post("/messages/{message_id}/retry")
async def retry_message(message_id: str, ctx: ServiceContext, _: StaffUser) -> dict[str, Any]:
    """Queue a failed message again (e.g. after the address was corrected)."""
    doc = await ctx.db[MESSAGES].find_one_and_update(
        {"_id": message_id, "status": Status.FAILED.value},
        {"$set": {"status": Status.QUEUED.value, "next_attempt_at": now(), "attempts": 0}},
    )
    if doc is None:
        if await ctx.db[MESSAGES].find_one({"_id": message_id}, {"_id": 1}) is None:
            raise NotFound("no such message", field="message_id")
        raise Conflict("only a failed message can be retried", field="status")
    ctx.sender.wake()
    return {"id": message_id, "status": Status.QUEUED.value}


# --- staff: recipients -----------------------------------------------------------------


class RecipientCreate(SubscriberFields):
    mailing_consent: bool = Field(
        description="the person agreed to the mailing (staff attest it, e.g. a paper form)"
    )


class RecipientPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    telegram_chat_id: str | None = Field(default=None, pattern=r"^-?\d{1,20}$")
    webhook_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    timezone: str | None = Field(default=None, max_length=64)
    topics: dict[Topic, TopicChoice] | None = None
    blog_categories: list[str] | None = Field(default=None, max_length=50)
    mailing_consent: bool | None = None
    status: SubscriberStatus | None = None

    _zone = field_validator("timezone")(lambda cls, v: v if v is None else known_zone(v))


def _recipient_out(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["id"] = doc["_id"]
    return out


@staff.get("/recipients")
async def list_recipients(
    ctx: ServiceContext,
    _: StaffUser,
    status: SubscriberStatus | None = None,
    topic: Topic | None = None,
    email: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if status:
        query["status"] = status.value
    if topic:
        query[f"topics.{topic.value}.email"] = True
    if email:
        query["person_key"] = person_key(email)
    cursor = ctx.db[SUBSCRIBERS].find(query).sort("created_at", -1).skip(offset).limit(limit)
    items = [_recipient_out(doc) async for doc in cursor]
    return {"items": items, "total": await ctx.db[SUBSCRIBERS].count_documents(query)}


@staff.post("/recipients", status_code=201)
async def create_recipient(
    body: RecipientCreate, ctx: ServiceContext, _: StaffUser
) -> dict[str, Any]:
    fields = SubscriberFields.model_validate(body.model_dump(exclude={"mailing_consent"}))
    doc = subscriber_document(
        fields, status=SubscriberStatus.CONFIRMED, source="staff", consent=body.mailing_consent
    )
    try:
        await ctx.db[SUBSCRIBERS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("a recipient with this e-mail exists", field="email") from None
    return _recipient_out(doc)


async def _recipient(ctx: Any, recipient_id: str) -> dict[str, Any]:
    doc = await ctx.db[SUBSCRIBERS].find_one({"_id": recipient_id})
    if doc is None:
        raise NotFound("no such recipient", field="recipient_id")
    return doc


@staff.get("/recipients/{recipient_id}")
async def get_recipient(recipient_id: str, ctx: ServiceContext, _: StaffUser) -> dict[str, Any]:
    return _recipient_out(await _recipient(ctx, recipient_id))


@staff.patch("/recipients/{recipient_id}")
async def update_recipient(
    recipient_id: str, body: RecipientPatch, ctx: ServiceContext, _: StaffUser
) -> dict[str, Any]:
    await _recipient(ctx, recipient_id)
    changes = body.model_dump(exclude_unset=True)
    if body.topics is not None:  # whole choices, defaults included
        changes["topics"] = {t.value: c.model_dump() for t, c in body.topics.items()}
    if changes.get("mailing_consent"):
        changes["consent_at"] = now()
    changes["updated_at"] = now()
    doc = await ctx.db[SUBSCRIBERS].find_one_and_update(
        {"_id": recipient_id}, {"$set": changes}, return_document=True
    )
    return _recipient_out(doc)


@staff.delete("/recipients/{recipient_id}", status_code=204)
async def delete_recipient(recipient_id: str, ctx: ServiceContext, _: StaffUser) -> None:
    """Remove the recipient and their message history (as an erasure does)."""
    doc = await _recipient(ctx, recipient_id)
    await ctx.db[SUBSCRIBERS].delete_one({"_id": recipient_id})
    await ctx.db[MESSAGES].delete_many({"recipient_key": doc["person_key"]})


# --- staff: templates and digest -------------------------------------------------------


@staff.get("/templates")
async def list_templates(_: StaffUser) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "transactional": s.transactional, "description": s.description}
        for s in SPECS.values()
    ]


@staff.get("/templates/{name}/preview", response_model=None)
async def preview_template(
    name: str,
    ctx: ServiceContext,
    _: StaffUser,
    format: Literal["json", "html", "text"] = "json",
) -> Any:
    """The template rendered with sample data."""
    if name not in SPECS:
        raise NotFound(f"no template {name!r}", field="name")
    rendered = ctx.renderer.render(name, sample_context(name))
    if format == "html":
        return HTMLResponse(rendered.html)
    if format == "text":
        return PlainTextResponse(rendered.text)
    return {"name": name, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}


class DigestRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cutoff: datetime | None = Field(
        default=None, description="end of the 24-hour window; default the latest digest time"
    )


@staff.post("/digests/run")
async def run_digest(body: DigestRun, ctx: ServiceContext, _: StaffUser) -> dict[str, Any]:
    """Send the daily digest now (normally the scheduler does at ``digest_time``)."""
    s = ctx.settings
    cutoff = body.cutoff or digest.latest_cutoff(now(), s.digest_time, s.digest_timezone)
    if cutoff.tzinfo is None:
        raise InvalidInput("cutoff needs a time zone", field="cutoff")
    return {"cutoff": cutoff, "queued": await digest.run_digest(ctx, cutoff)}
