"""Public pages behind the links in e-mails: confirming a subscription and unsubscribing.

Unsubscribe follows RFC 8058: the link's GET shows a confirmation page (mail scanners
that follow links change nothing), its POST — from that page's button, or the mail
client's one-click ``List-Unsubscribe=One-Click`` — unsubscribes. Tokens are HMACs of
the subscriber id and purpose: one person's link cannot unsubscribe another.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from nkohub_notifications.domain import CONFIRM, UNSUBSCRIBE, SubscriberStatus, now
from nkohub_notifications.repository import SUBSCRIBERS
from nkohub_shared.privacy import verify
from nkohub_shared.web.app import ServiceContext

router = APIRouter(tags=["notifications: pages"], include_in_schema=True)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Arial, sans-serif; max-width: 560px; margin: 40px auto;">
<h1 style="font-size: 22px;">{escape(title)}</h1>{body}</body></html>"""
    return HTMLResponse(html, status)


def _invalid() -> HTMLResponse:
    return _page(
        "Ссылка недействительна",
        "<p>Ссылка повреждена или устарела. Скопируйте её из письма целиком.</p>",
        404,
    )


async def _subscriber(ctx, subscriber_id: str, purpose: str, token: str):
    secret = ctx.settings.jwt_secret.get_secret_value()
    if not token or not verify(secret, purpose, subscriber_id, token):
        return None
    return await ctx.db[SUBSCRIBERS].find_one({"_id": subscriber_id})


@router.get("/unsubscribe/{subscriber_id}", response_class=HTMLResponse)
async def unsubscribe_page(
    subscriber_id: str, ctx: ServiceContext, token: str = ""
) -> HTMLResponse:
    subscriber = await _subscriber(ctx, subscriber_id, UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    if subscriber["status"] == SubscriberStatus.UNSUBSCRIBED:
        return _page("Вы уже отписаны", "<p>Рассылки больше не будут приходить.</p>")
    form = (
        f'<form method="post" action="/unsubscribe/{escape(subscriber_id)}?token={escape(token)}">'
        "<p>Отписаться от рассылки «Открытое общение» (анонсы встреч, гранты, блог)? "
        "Письма о ваших регистрациях и консультациях будут приходить по-прежнему.</p>"
        '<button type="submit">Отписаться</button></form>'
    )
    return _page("Отписка от рассылки", form)


@router.post("/unsubscribe/{subscriber_id}", response_class=HTMLResponse)
async def unsubscribe(subscriber_id: str, ctx: ServiceContext, token: str = "") -> HTMLResponse:
    """One click (RFC 8058 POST with ``List-Unsubscribe=One-Click``) or the page's button."""
    subscriber = await _subscriber(ctx, subscriber_id, UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    await ctx.db[SUBSCRIBERS].update_one(
        {"_id": subscriber_id},
        {
            "$set": {
                "status": SubscriberStatus.UNSUBSCRIBED.value,
                "mailing_consent": False,
                "unsubscribed_at": now(),
                "updated_at": now(),
            }
        },
    )
    return _page("Вы отписаны", "<p>Рассылки больше не будут приходить.</p>")


@router.get("/subscriptions/{subscriber_id}/confirm", response_class=HTMLResponse)
async def confirm_page(subscriber_id: str, ctx: ServiceContext, token: str = "") -> HTMLResponse:
    subscriber = await _subscriber(ctx, subscriber_id, CONFIRM, token)
    if subscriber is None:
        return _invalid()
    form = (
        f'<form method="post" action="/subscriptions/{escape(subscriber_id)}/confirm'
        f'?token={escape(token)}"><p>Подтвердите подписку на рассылку «Открытое общение».</p>'
        '<button type="submit">Подтвердить подписку</button></form>'
    )
    return _page("Подтверждение подписки", form)


@router.post("/subscriptions/{subscriber_id}/confirm", response_class=HTMLResponse)
async def confirm(subscriber_id: str, ctx: ServiceContext, token: str = "") -> HTMLResponse:
    subscriber = await _subscriber(ctx, subscriber_id, CONFIRM, token)
    if subscriber is None:
        return _invalid()
    topics = subscriber.get("pending_topics") or subscriber.get("topics") or {}
    categories = subscriber.get("pending_categories")
    fields = {
        "status": SubscriberStatus.CONFIRMED.value,
        "mailing_consent": True,
        "consent_at": now(),
        "topics": {**(subscriber.get("topics") or {}), **topics},
        "updated_at": now(),
    }
    if categories is not None:
        fields["blog_categories"] = categories
    await ctx.db[SUBSCRIBERS].update_one(
        {"_id": subscriber_id},
        {"$set": fields, "$unset": {"pending_topics": "", "pending_categories": ""}},
    )
    return _page("Подписка подтверждена", "<p>Спасибо! Теперь вы будете получать рассылку.</p>")
