"""Public pages: the subscription form (no JavaScript), the preference centre and the
pages behind the links in e-mails (confirming a subscription, unsubscribing).

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
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from nkohub_notifications.api.deps import Context
from nkohub_notifications.domain.forms import subscribe_errors
from nkohub_notifications.domain.links import LinkState, preferences_path
from nkohub_notifications.domain.subscribers import (
    TOPIC_LABELS,
    ConfirmVerdict,
    SubscribeRequest,
    SubscriberStatus,
    Topic,
    chosen_topics,
    confirm_verdict,
)
from nkohub_shared.limits import RateLimited
from nkohub_shared.links import Purpose, confirm_subscription_path, unsubscribe_path
from nkohub_shared.web import accessibility
from nkohub_shared.web.clients import ClientAddress

router = APIRouter(
    tags=["notifications: pages"], include_in_schema=True, dependencies=[accessibility.REMEMBER]
)
router.include_router(accessibility.router)  # the switch of the visually impaired version

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
accessibility.install(_templates)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(f"pages/{name}").render(**context), status)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="ru" class="{accessibility.html_class()}"><head><meta charset="utf-8">
<title>{escape(title)} — рассылка «Открытое общение»</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{accessibility.head()}</head>
<body style="font-family: Arial, sans-serif; max-width: 560px; margin: 40px auto; padding: 0 16px;">
{accessibility.panel()}<main id="content">
<h1 style="font-size: 22px;">{escape(title)}</h1>{body}</main></body></html>"""
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


def _topic(value: str) -> Topic | None:
    try:
        return Topic(value) if value else None
    except ValueError:
        return None


@router.get(unsubscribe_path("{subscriber_id}"), response_class=HTMLResponse)
async def unsubscribe_page(
    subscriber_id: str, ctx: Context, token: str = "", topic: str = ""
) -> HTMLResponse:
    """What the link unsubscribes from (its topic, or everything), as buttons: a GET
    changes nothing (mail scanners follow links)."""
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    if subscriber["status"] == SubscriberStatus.UNSUBSCRIBED:
        return _page("Вы уже отписаны", "<p>Рассылки больше не будут приходить.</p>")
    chosen = _topic(topic)
    path = unsubscribe_path(subscriber_id)
    return render(
        "unsubscribe.html",
        topic_label=TOPIC_LABELS[chosen] if chosen else None,
        topic_action=f"{path}?{urlencode({'topic': topic, 'token': token})}",
        all_action=f"{path}?{urlencode({'token': token})}",
        preferences_url=f"{preferences_path(subscriber_id)}?{urlencode({'token': token})}",
    )


@router.post(unsubscribe_path("{subscriber_id}"), response_class=HTMLResponse)
async def unsubscribe(
    subscriber_id: str, ctx: Context, token: str = "", topic: str = ""
) -> HTMLResponse:
    """One click (RFC 8058 POST with ``List-Unsubscribe=One-Click``) or the page's button:
    from the link's topic, or (no topic) from everything."""
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    chosen = _topic(topic)
    preferences = f"{preferences_path(subscriber_id)}?{urlencode({'token': token})}"
    if chosen is not None:
        await ctx.subscriptions.unsubscribe_topic(subscriber, chosen)
        return render(
            "message.html",
            heading="Вы отписаны",
            paragraphs=[
                f"Вы отписаны от темы «{TOPIC_LABELS[chosen]}». Остальные темы остались.",
            ],
            link={"url": preferences, "text": "Выбрать темы или отписаться от всего"},
        )
    await ctx.subscriptions.unsubscribe(subscriber)
    return render(
        "message.html",
        heading="Вы отписаны",
        paragraphs=["Вы отписаны от всех рассылок: они больше не будут приходить."],
        link={"url": preferences, "text": "Передумали? Выберите темы снова"},
    )


# --- the preference centre ----------------------------------------------------------------


def _preferences(subscriber: dict[str, Any], token: str, saved: str | None = None) -> HTMLResponse:
    action = f"{preferences_path(subscriber['_id'])}?{urlencode({'token': token})}"
    return render(
        "preferences.html",
        email=subscriber.get("email") or "",
        topics=[(t.value, TOPIC_LABELS[t]) for t in Topic],
        chosen={t.value for t in chosen_topics(subscriber)},
        action=action,
        saved=saved,
    )


@router.get(preferences_path("{subscriber_id}"), response_class=HTMLResponse)
async def preferences_page(subscriber_id: str, ctx: Context, token: str = "") -> HTMLResponse:
    """One page per subscriber, from the link in every mail's footer."""
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    return _preferences(subscriber, token)


@router.post(preferences_path("{subscriber_id}"), response_class=HTMLResponse)
async def save_preferences(
    subscriber_id: str,
    ctx: Context,
    token: str = "",
    action: Annotated[str, Form()] = "save",
    topic: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    subscriber = await ctx.subscriptions.by_link(subscriber_id, Purpose.UNSUBSCRIBE, token)
    if subscriber is None:
        return _invalid()
    chosen = set() if action == "unsubscribe_all" else {t for t in map(_topic, topic or []) if t}
    updated = await ctx.subscriptions.set_preferences(subscriber, chosen)
    if updated is None:
        return _invalid()
    if not chosen:
        saved = "Вы отписаны от всех рассылок. Письма о ваших регистрациях будут приходить."
    else:
        names = ", ".join(f"«{TOPIC_LABELS[t]}»" for t in Topic if t in chosen)
        saved = f"Сохранено. Теперь мы будем писать вам: {names}."
    return _preferences(updated, token, saved)


# --- subscribing without JavaScript ------------------------------------------------------


@router.get("/subscribe", response_class=HTMLResponse)
async def subscribe_page(
    ctx: Context, topic: Annotated[list[str] | None, Query()] = None
) -> HTMLResponse:
    """The subscription form the blog and the meetup pages link to (``?topic=meetups``)."""
    wanted = [t.value for t in map(_topic, topic or []) if t] or [Topic.MEETUPS.value]
    return _subscribe_form(ctx, {"name": "", "email": "", "topics": wanted, "consent": False})


def _subscribe_form(
    ctx: Context, form: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    return render(
        "subscribe.html",
        status,
        form=form,
        errors=errors or {},
        topics=[(t.value, TOPIC_LABELS[t]) for t in Topic],
        link_days=ctx.settings.confirm_link_days,
    )


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_form(
    ctx: Context,
    client: ClientAddress,
    name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    topic: Annotated[list[str] | None, Form()] = None,
    consent: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """The form's POST: the same double opt-in as ``POST /api/v1/subscriptions``; errors
    are shown next to their field, in Russian."""
    form = {
        "name": name.strip(),
        "email": email.strip(),
        "topics": [t for t in (topic or []) if _topic(t)],
        "consent": consent == "yes",
    }
    try:
        request = SubscribeRequest.model_validate(
            {
                "name": form["name"],
                "email": form["email"],
                "topics": form["topics"],
                "consent": form["consent"] or None,
            }
        )
    except ValidationError as exc:
        return _subscribe_form(ctx, form, subscribe_errors(exc), 422)
    try:
        await ctx.subscriptions.subscribe(
            client=client,
            name=request.name,
            email=request.email,
            topics=request.topics,
            blog_categories=[],
            timezone=request.timezone,
        )
    except RateLimited as limited:
        page = _subscribe_form(ctx, form, {limited.field or "form": limited.message}, 429)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    return render(
        "message.html",
        202,
        heading="Проверьте почту",
        paragraphs=[
            f"Мы отправили письмо со ссылкой на адрес {request.email}.",
            "Подписка начнётся, только когда вы перейдёте по этой ссылке: так мы знаем, что "
            f"адрес ваш. Ссылка действует {ctx.settings.confirm_link_days} дней.",
            "Письма нет? Проверьте папку «Спам». Если вы уже подписаны, ваш выбор тем "
            "обновится после перехода по ссылке.",
        ],
    )


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
