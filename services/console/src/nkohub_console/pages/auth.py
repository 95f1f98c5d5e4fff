"""Signing in and out, and changing one's own password.

The sign-in form has no session yet, so its CSRF token is a random value in a short-lived
cookie of its own that the form repeats (double submit); every other form carries the
session's token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from nkohub_console.api.deps import Context
from nkohub_console.domain.forms import FormErrors
from nkohub_console.domain.sessions import (
    COOKIE,
    CSRF_FIELD,
    LOGIN_COOKIE,
    new_token,
    same_token,
)
from nkohub_console.pages.common import (
    PREFIX,
    CsrfRefused,
    StaffForm,
    StaffPage,
    redirect,
    render,
    text,
    url,
)
from nkohub_shared.errors import DomainError
from nkohub_shared.web.clients import ClientAddress

router = APIRouter()
LOGIN_COOKIE_SECONDS = 3600


def _safe_next(value: str | None) -> str:
    """Only a path of this console, without its prefix (never ``//other.site`` or a URL)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_page(
    request: Request,
    ctx: Context,
    *,
    next_path: str,
    email: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html",
        status_code=status_code,
        login_csrf=token,
        next_path=next_path,
        form={"email": email},
        errors=errors or FormErrors(),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_COOKIE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        path=url("/login"),
    )
    return response


@router.get("/login")
async def login_form(request: Request, ctx: Context, next: str | None = None) -> Response:
    return _login_page(request, ctx, next_path=_safe_next(next))


@router.post("/login")
async def login(request: Request, ctx: Context, client: ClientAddress) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    if not same_token(request.cookies.get(LOGIN_COOKIE), _str(form.get(CSRF_FIELD))):
        raise CsrfRefused()
    email, password = text(form, "email"), _str(form.get("password"))
    next_path = _safe_next(_str(form.get("next")))
    try:
        signed = await ctx.sessions.sign_in(email, password, client=client)
    except DomainError as exc:
        errors = FormErrors()
        errors.add("password", exc.message)
        status = exc.status_code
        response = _login_page(
            request, ctx, next_path=next_path, email=email, errors=errors, status_code=status
        )
        retry = exc.details.get("retry_after")
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        return response
    response = redirect(next_path)
    response.set_cookie(
        COOKIE,
        signed.token,
        max_age=int(ctx.settings.console_session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_COOKIE, path=url("/login"))
    return response


@router.post("/logout")
async def logout(request: Request, staff_form: StaffForm) -> Response:
    staff, _ = staff_form
    await staff.ctx.sessions.sign_out(request.cookies.get(COOKIE))
    response = redirect("/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/account/password")
async def password_form(staff: StaffPage) -> Response:
    return staff.render("password.html")


@router.post("/account/password")
async def change_password(request: Request, staff_form: StaffForm) -> Response:
    staff, form = staff_form
    try:
        await staff.ctx.accounts.change_password(
            staff.account["_id"],
            _str(form.get("current_password")),
            _str(form.get("new_password")),
            _str(form.get("repeat_password")),
            keep_session=staff.current.session["_id"],
        )
    except DomainError as exc:
        errors = FormErrors()
        errors.add(exc.field, exc.message)
        return staff.render("password.html", status_code=exc.status_code, errors=errors)
    return redirect("/account/password", "password")


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
