"""Accounts (admins only): the list, a new account, deactivate or reactivate, reset a
password. A staff account is refused every page here (403)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from nkohub_console.domain.accounts import AccountIn, account_view
from nkohub_console.domain.forms import FormErrors
from nkohub_console.pages.common import AdminForm, AdminPage, Staff, redirect, text, values
from nkohub_shared.errors import DomainError

router = APIRouter(prefix="/admin/accounts")


async def _list(staff: Staff, status_code: int = 200, **extra: object) -> Response:
    accounts = [account_view(a) for a in await staff.ctx.accounts.all()]
    return staff.render("accounts.html", status_code=status_code, accounts=accounts, **extra)


@router.get("")
async def accounts_page(staff: AdminPage) -> Response:
    return await _list(staff)


@router.post("")
async def create_account(staff_form: AdminForm) -> Response:
    staff, form = staff_form
    errors, status = FormErrors(), 422
    try:
        data = AccountIn(
            name=text(form, "name"), email=text(form, "email"), role=text(form, "role") or "staff"
        )
        await staff.ctx.accounts.create(data, str(form.get("password") or ""))
    except ValidationError as exc:
        for e in exc.errors():
            errors.add(str(e["loc"][0]) if e["loc"] else None, _ru(e["type"], e["msg"]))
    except DomainError as exc:
        errors.add(exc.field, exc.message)
        status = exc.status_code
    if errors:
        typed = values(form)
        typed.pop("password", None)
        return await _list(staff, status_code=status, errors=errors, form=typed)
    return redirect("/admin/accounts", "created")


@router.post("/{account_id}/deactivate")
async def deactivate(account_id: str, staff_form: AdminForm) -> Response:
    staff, _ = staff_form
    try:
        await staff.ctx.accounts.deactivate(staff.account["_id"], account_id)
    except DomainError as exc:
        errors = FormErrors()
        errors.add(None, exc.message)
        return await _list(staff, status_code=exc.status_code, errors=errors)
    return redirect("/admin/accounts", "deactivated")


@router.post("/{account_id}/reactivate")
async def reactivate(account_id: str, staff_form: AdminForm) -> Response:
    staff, _ = staff_form
    await staff.ctx.accounts.reactivate(account_id)
    return redirect("/admin/accounts", "reactivated")


@router.post("/{account_id}/password")
async def reset_password(account_id: str, staff_form: AdminForm) -> Response:
    staff, form = staff_form
    try:
        await staff.ctx.accounts.reset_password(account_id, str(form.get("password") or ""))
    except DomainError as exc:
        errors = FormErrors()
        errors.add(f"password-{account_id}", exc.message)
        return await _list(staff, status_code=exc.status_code, errors=errors)
    return redirect("/admin/accounts", "reset")


def _ru(kind: str, message: str) -> str:
    if kind == "missing" or kind == "string_too_short":
        return "обязательное поле"
    if kind == "value_error" and "e-mail" in message:
        return "не похоже на адрес электронной почты"
    if kind == "enum":
        return "выберите роль из списка"
    return message
