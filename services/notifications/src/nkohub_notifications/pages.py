"""Public pages behind the links in e-mails: confirming a subscription and unsubscribing.

Unsubscribe follows RFC 8058: the link's GET shows a confirmation page (mail scanners
that follow links change nothing), its POST — from that page's button, or the mail
client's one-click ``List-Unsubscribe=One-Click`` — unsubscribes. Tokens are HMACs of
the subscriber id and purpose: one person's link cannot unsubscribe another. A
confirmation link also signs its expiry (``confirm_link_days``) and works only while a
request is pending: an expired or used one shows a page that offers a fresh link. Any
token (garbage, non-ASCII) is a 4xx page, never an error.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.links import LinkState
from nkohub_notifications.domain.subscribers import (
    ConfirmVerdict,
    SubscriberStatus,
    confirm_verdict,
)
from nkohub_shared.limits import RateLimited
from nkohub_shared.links import Purpose, confirm_subscription_path, unsubscribe_path
from nkohub_shared.web.clients import ClientAddress

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


def _form(action: str, text: str, button: str) -> str:
    return (
        f'<form method="post" action="{escape(action)}">'
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
        f"{unsubscribe_path(subscriber_id)}?{urlencode({'token': token})}",
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


def _confirm_query(expires: str, token: str) -> str:
    return urlencode({"expires": expires, "token": token})


def _stale(subscriber_id: str, expires: str, token: str, title: str, why: str) -> HTMLResponse:
    """An expired or used confirmation link: say so, and offer a fresh link by e-mail."""
    renew = f"{confirm_subscription_path(subscriber_id)}/renew?{_confirm_query(expires, token)}"
    form = (
        f'<p>{why}</p><form method="post" action="{escape(renew)}">'
        "<p>Чтобы подписаться снова, запросите новую ссылку: она придёт на ваш адрес.</p>"
        '<button type="submit">Прислать новую ссылку</button></form>'
    )
    return _page(title, form, 410)


def _expired(subscriber_id: str, expires: str, token: str) -> HTMLResponse:
    return _stale(
        subscriber_id,
        expires,
        token,
        "Срок действия ссылки истёк",
        "Ссылка для подтверждения подписки больше не действует: её срок истёк.",
    )


def _used(subscriber_id: str, expires: str, token: str) -> HTMLResponse:
    return _stale(
        subscriber_id,
        expires,
        token,
        "Ссылка больше не действует",
        "По этой ссылке подписку уже подтверждали, и после этого от рассылки отписались.",
    )


@router.get(confirm_subscription_path("{subscriber_id}"), response_class=HTMLResponse)
async def confirm_page(
    subscriber_id: str, ctx: Context, token: str = "", expires: str = ""
) -> HTMLResponse:
    state, subscriber = await ctx.subscriptions.by_confirm_link(subscriber_id, expires, token)
    if subscriber is None:
        return _invalid()
    if state is LinkState.EXPIRED:
        return _expired(subscriber_id, expires, token)
    verdict = confirm_verdict(subscriber)
    if verdict is ConfirmVerdict.ALREADY:
        return _page("Подписка уже подтверждена", "<p>Рассылка будет приходить.</p>")
    if verdict is ConfirmVerdict.USED:
        return _used(subscriber_id, expires, token)
    form = _form(
        f"{confirm_subscription_path(subscriber_id)}?{_confirm_query(expires, token)}",
        "Подтвердите подписку на рассылку «Открытое общение».",
        "Подтвердить подписку",
    )
    return _page("Подтверждение подписки", form)


@router.post(confirm_subscription_path("{subscriber_id}"), response_class=HTMLResponse)
async def confirm(
    subscriber_id: str, ctx: Context, token: str = "", expires: str = ""
) -> HTMLResponse:
    state, subscriber = await ctx.subscriptions.by_confirm_link(subscriber_id, expires, token)
    if subscriber is None:
        return _invalid()
    if state is LinkState.EXPIRED:
        return _expired(subscriber_id, expires, token)
    verdict = await ctx.subscriptions.confirm(subscriber)
    if verdict is ConfirmVerdict.USED:
        return _used(subscriber_id, expires, token)
    return _page("Подписка подтверждена", "<p>Спасибо! Теперь вы будете получать рассылку.</p>")


@router.post(confirm_subscription_path("{subscriber_id}") + "/renew", response_class=HTMLResponse)
async def renew(
    subscriber_id: str, ctx: Context, client: ClientAddress, token: str = "", expires: str = ""
) -> HTMLResponse:
    """A new confirmation link for an expired or used one (it must still be ours)."""
    _, subscriber = await ctx.subscriptions.by_confirm_link(subscriber_id, expires, token)
    if subscriber is None:
        return _invalid()
    try:
        await ctx.subscriptions.renew(subscriber, client)
    except RateLimited as limited:
        page = _page("Слишком много запросов", f"<p>{escape(limited.message)}</p>", 429)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    return _page(
        "Проверьте почту",
        "<p>Если подписка ещё не подтверждена, на ваш адрес придёт письмо с новой ссылкой "
        "(не чаще одного письма в сутки).</p>",
    )
