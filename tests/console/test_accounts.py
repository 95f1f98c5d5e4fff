"""The console's account rules over HTTP, in process, on the real MongoDB: sign-in,
wrong password, lockout, CSRF, deactivation, admin pages, the token's short life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from nkohub_console.domain.accounts import Role
from nkohub_console.domain.sessions import COOKIE, LOGIN_COOKIE
from nkohub_shared.tokens import verify_token
from tests.console.support import (
    PASSWORD,
    browser,
    console_settings,
    csrf_of,
    make_account,
    post_form,
    running_console,
    sign_in,
)
from tests.support.isolation import STAFF_TOKEN_PUBLIC_KEY


@pytest.fixture
async def console(sandbox):
    async with running_console(console_settings(sandbox)) as app:
        await make_account(app, "Анна Админова", "admin@library.ru", Role.ADMIN)
        await make_account(app, "Ольга Библиотекарь", "olga@library.ru")
        yield app


async def test_sign_in_opens_a_session_with_a_safe_cookie(console):
    async with browser(console) as client:
        first = await client.get("/console/", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/console/login?next=/"
        answer = await sign_in(client, "OLGA@library.ru ")
        assert answer.status_code == 303, answer.text
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        page = await client.get("/console/account/password")
        assert page.status_code == 200
        assert "Ольга Библиотекарь" in page.text
        me = await client.get("/console/api/v1/session")
        assert me.json()["account"]["email"] == "olga@library.ru"
        assert me.json()["account"]["role"] == "staff"


async def test_cookies_are_secure_behind_https(sandbox):
    settings = console_settings(sandbox, public_base_url="https://console.library.ru")
    async with running_console(settings) as app:
        await make_account(app, "Ольга", "olga@library.ru")
        async with browser(app, base_url="https://testserver") as client:
            page = await client.get("/console/login")
            assert "Secure" in page.headers["set-cookie"]
            answer = await sign_in(client, "olga@library.ru")
            assert "Secure" in answer.headers["set-cookie"]


async def test_a_wrong_password_is_refused_next_to_the_field(console):
    async with browser(console) as client:
        answer = await sign_in(client, "olga@library.ru", "не-тот-пароль-совсем")
        assert answer.status_code == 422
        assert 'id="e-password"' in answer.text
        assert "Неверный адрес или пароль." in answer.text
        assert 'value="olga@library.ru"' in answer.text  # what was typed stays
        assert COOKIE not in answer.headers.get("set-cookie", "").split("=")[0]
        unknown = await sign_in(client, "nobody@library.ru", "не-тот-пароль-совсем")
        assert unknown.status_code == 422
        assert "Неверный адрес или пароль." in unknown.text  # never tells which
        assert (await client.get("/console/api/v1/session")).status_code == 401


async def test_failed_logins_are_slowed_then_locked(sandbox):
    settings = console_settings(
        sandbox,
        console_login_free_failures=2,
        console_login_lock_failures=4,
        console_login_lock_minutes=15,
    )
    async with running_console(settings) as app:
        await make_account(app, "Ольга", "olga@library.ru")
        ctx = app.state.runtime.context
        async with browser(app) as client:
            for _ in range(2):
                assert (
                    await sign_in(client, "olga@library.ru", "wrong-wrong-1")
                ).status_code == 422
            # the third failure makes the address wait before the next attempt
            third = await sign_in(client, "olga@library.ru", "wrong-wrong-1")
            assert third.status_code == 422
            slowed = await sign_in(client, "olga@library.ru", PASSWORD)  # even the right one
            assert slowed.status_code == 429
            assert int(slowed.headers["Retry-After"]) >= 1
            assert "Попробуйте снова через" in slowed.text
            # wait out the delay by moving the block into the past, then fail to the lock
            record = await ctx.sessions.failures.get("olga@library.ru")
            assert record["failures"] == 3
            await ctx.sessions.failures.block("olga@library.ru", datetime.now(UTC))
            locked = await sign_in(client, "olga@library.ru", "wrong-wrong-1")
            assert locked.status_code == 429
            assert "закрыт на 15 мин" in locked.text
            still = await sign_in(client, "olga@library.ru", PASSWORD)
            assert still.status_code == 429
            assert 14 * 60 <= int(still.headers["Retry-After"]) <= 15 * 60
            # an admin's help: once the lock is over, the right password opens a session
            await ctx.sessions.failures.block("olga@library.ru", datetime.now(UTC))
            assert (await sign_in(client, "olga@library.ru", PASSWORD)).status_code == 303
            assert await ctx.sessions.failures.get("olga@library.ru") is None


async def test_forms_without_the_csrf_token_are_refused(console):
    async with browser(console) as client:
        # the sign-in form: no token, or a token not matching its cookie
        page = await client.get("/console/login")
        token = csrf_of(page.text)
        no_token = await client.post(
            "/console/login", data={"email": "olga@library.ru", "password": PASSWORD}
        )
        assert no_token.status_code == 403
        client.cookies.set(LOGIN_COOKIE, "forged", path="/console/login")
        forged = await client.post(
            "/console/login", data={"csrf": token, "email": "olga@library.ru", "password": PASSWORD}
        )
        assert forged.status_code == 403
        client.cookies.clear()
        assert (await sign_in(client, "olga@library.ru")).status_code == 303
        # a signed-in form: missing and wrong tokens change nothing
        missing = await client.post(
            "/console/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "новый-пароль-2020",
                "repeat_password": "новый-пароль-2020",
            },
        )
        assert missing.status_code == 403
        assert "CSRF" in missing.text
        wrong = await client.post("/console/logout", data={"csrf": "x" * 43})
        assert wrong.status_code == 403
        assert (await client.get("/console/api/v1/session")).status_code == 200  # still signed in


async def test_password_change_keeps_this_session_and_ends_the_others(console):
    async with browser(console) as desk, browser(console) as phone:
        await sign_in(desk, "olga@library.ru")
        await sign_in(phone, "olga@library.ru")
        short = await post_form(
            desk,
            "/console/account/password",
            "/console/account/password",
            {"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
        )
        assert short.status_code == 422
        assert 'id="e-new_password"' in short.text
        wrong = await post_form(
            desk,
            "/console/account/password",
            "/console/account/password",
            {
                "current_password": "not-my-password",
                "new_password": "новый-пароль-2020",
                "repeat_password": "новый-пароль-2020",
            },
        )
        assert wrong.status_code == 422 and 'id="e-current_password"' in wrong.text
        done = await post_form(
            desk,
            "/console/account/password",
            "/console/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "новый-пароль-2020",
                "repeat_password": "новый-пароль-2020",
            },
        )
        assert done.status_code == 303
        assert (await desk.get("/console/api/v1/session")).status_code == 200
        assert (await phone.get("/console/api/v1/session")).status_code == 401
    async with browser(console) as again:
        assert (await sign_in(again, "olga@library.ru")).status_code == 422
        assert (await sign_in(again, "olga@library.ru", "новый-пароль-2020")).status_code == 303


async def test_sign_out_ends_the_session(console):
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        out = await post_form(client, "/console/account/password", "/console/logout", {})
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
        assert (await client.get("/console/api/v1/session")).status_code == 401


async def test_staff_are_refused_the_admin_pages(console):
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        page = await client.get("/console/admin/accounts")
        assert page.status_code == 403
        assert "Только для администраторов" in page.text
        token = csrf_of((await client.get("/console/account/password")).text)
        create = await client.post(
            "/console/admin/accounts",
            data={"csrf": token, "name": "Вор", "email": "x@y.ru", "password": PASSWORD},
        )
        assert create.status_code == 403
        assert "x@y.ru" not in {
            a["email"] for a in await console.state.runtime.context.accounts.all()
        }


async def test_an_admin_creates_an_account_and_typed_values_survive_errors(console):
    async with browser(console) as admin:
        await sign_in(admin, "admin@library.ru")
        refused = await post_form(
            admin,
            "/console/admin/accounts",
            "/console/admin/accounts",
            {"name": "Мария", "email": "maria@library.ru", "role": "staff", "password": "123"},
        )
        assert refused.status_code == 422
        assert 'id="e-password"' in refused.text
        assert 'value="maria@library.ru"' in refused.text and 'value="Мария"' in refused.text
        duplicate = await post_form(
            admin,
            "/console/admin/accounts",
            "/console/admin/accounts",
            {
                "name": "Ещё Ольга",
                "email": "Olga@Library.ru",
                "role": "staff",
                "password": PASSWORD,
            },
        )
        assert duplicate.status_code == 409, duplicate.text
        assert 'id="e-email"' in duplicate.text
        created = await post_form(
            admin,
            "/console/admin/accounts",
            "/console/admin/accounts",
            {"name": "Мария", "email": "maria@library.ru", "role": "staff", "password": PASSWORD},
        )
        assert created.status_code == 303
    async with browser(console) as maria:
        assert (await sign_in(maria, "maria@library.ru")).status_code == 303


async def test_deactivation_ends_the_sessions_at_once(console):
    ctx = console.state.runtime.context
    olga = await ctx.accounts.accounts.by_email_key("olga@library.ru")
    admin_id = (await ctx.accounts.accounts.by_email_key("admin@library.ru"))["_id"]
    async with browser(console) as admin, browser(console) as librarian:
        await sign_in(admin, "admin@library.ru")
        await sign_in(librarian, "olga@library.ru")
        assert (await librarian.get("/console/account/password")).status_code == 200
        done = await post_form(
            admin,
            "/console/admin/accounts",
            f"/console/admin/accounts/{olga['_id']}/deactivate",
            {},
        )
        assert done.status_code == 303
        refused = await librarian.get("/console/account/password", follow_redirects=False)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/console/login")
        assert (await sign_in(librarian, "olga@library.ru")).status_code == 422
        self_off = await post_form(
            admin,
            "/console/admin/accounts",
            f"/console/admin/accounts/{admin_id}/deactivate",
            {},
        )
        assert self_off.status_code == 403


async def test_a_password_reset_ends_the_sessions_and_sets_the_new_one(console):
    ctx = console.state.runtime.context
    olga = await ctx.accounts.accounts.by_email_key("olga@library.ru")
    async with browser(console) as admin, browser(console) as librarian:
        await sign_in(admin, "admin@library.ru")
        await sign_in(librarian, "olga@library.ru")
        weak = await post_form(
            admin,
            "/console/admin/accounts",
            f"/console/admin/accounts/{olga['_id']}/password",
            {"password": "1"},
        )
        assert weak.status_code == 422
        reset = await post_form(
            admin,
            "/console/admin/accounts",
            f"/console/admin/accounts/{olga['_id']}/password",
            {"password": "выдан-лично-2020"},
        )
        assert reset.status_code == 303
        assert (await librarian.get("/console/api/v1/session")).status_code == 401
        assert (await sign_in(librarian, "olga@library.ru", "выдан-лично-2020")).status_code == 303


async def test_the_token_sent_to_the_services_is_the_accounts_and_short_lived(console):
    ctx = console.state.runtime.context
    olga = await ctx.accounts.accounts.by_email_key("olga@library.ru")
    token = ctx.tokens.for_account(olga)
    principal = verify_token(STAFF_TOKEN_PUBLIC_KEY, token)
    assert principal.sub == olga["_id"] and principal.role == "staff"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 5 * 60
    # after deactivation the console mints none for it: its session is gone, so no page
    # runs for it; the last token minted dies within those five minutes
    await ctx.accounts.deactivate("someone-else", olga["_id"])
    expired_at = datetime.fromtimestamp(claims["exp"], UTC)
    assert expired_at - datetime.now(UTC) <= timedelta(minutes=5)
    with pytest.raises(Exception, match="expired"):
        verify_token(
            STAFF_TOKEN_PUBLIC_KEY,
            jwt.encode(
                {**claims, "iat": claims["iat"] - 301, "exp": claims["exp"] - 301},
                _private(),
                algorithm="EdDSA",
            ),
        )


def _private():
    from nkohub_shared.keys import private_key
    from tests.support.isolation import STAFF_TOKEN_PRIVATE_KEY

    return private_key(STAFF_TOKEN_PRIVATE_KEY)
