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

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.subscribers import SubscriberStatus
from nkohub_shared.links import Purpose, confirm_subscription_path, unsubscribe_path

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


def _form(path: str, token: str, text: str, button: str) -> str:
    return (
        f'<form method="post" action="{escape(path)}?token={escape(token)}">'
        f"<p>{text}</p>"
        f'<button type="submit">{button}</button></form>'
    )


@router.get(unsubscribe_path("{subscriber_id}"), response_class=HTMLResponse)
async def unsubscribe_page(subscriber_id: str, ctx: Context, token: str = "") -> HTMLResponse:
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    if subscriber["status"] == SubscriberStatus.UNSUBSCRIBED:
        return _page("Вы уже отписаны", "<p>Рассылки больше не будут приходить.</p>")
    form = _form(
        unsubscribe_path(subscriber_id),
        token,
        "Отписаться от рассылки «Открытое общение» (анонсы встреч, гранты, блог)? "
        "Письма о ваших регистрациях и консультациях будут приходить по-прежнему.",
        "Отписаться",
    )
    return _page("Отписка от рассылки", form)


@router.post(unsubscribe_path("{subscriber_id}"), response_class=HTMLResponse)
async def unsubscribe(subscriber_id: str, ctx: Context, token: str = "") -> HTMLResponse:
    """One click (RFC 8058 POST with ``List-Unsubscribe=One-Click``) or the page's button."""
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    await ctx.subscriptions.unsubscribe(subscriber)
    return _page("Вы отписаны", "<p>Рассылки больше не будут приходить.</p>")


@router.get(confirm_subscription_path("{subscriber_id}"), response_class=HTMLResponse)
async def confirm_page(subscriber_id: str, ctx: Context, token: str = "") -> HTMLResponse:
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.CONFIRM_SUBSCRIPTION, token)
    if subscriber is None:
        return _invalid()
    form = _form(
        confirm_subscription_path(subscriber_id),
        token,
        "Подтвердите подписку на рассылку «Открытое общение».",
        "Подтвердить подписку",
    )
    return _page("Подтверждение подписки", form)


@router.post(confirm_subscription_path("{subscriber_id}"), response_class=HTMLResponse)
async def confirm(subscriber_id: str, ctx: Context, token: str = "") -> HTMLResponse:
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.CONFIRM_SUBSCRIPTION, token)
    if subscriber is None:
        return _invalid()
    await ctx.subscriptions.confirm(subscriber)
    return _page("Подписка подтверждена", "<p>Спасибо! Теперь вы будете получать рассылку.</p>")
