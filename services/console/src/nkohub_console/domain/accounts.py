"""Staff accounts: who may sign in to the console, with which role.

An account has a name, an e-mail address (its login, unique whatever its case), a role
(``admin`` manages accounts; ``staff`` runs the week) and an ``active`` flag. Passwords
are kept only as Argon2 hashes (``service.passwords``); the rules a new password must meet
are here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_shared.errors import Conflict, Forbidden, InvalidInput
from nkohub_shared.privacy import normalise_email
from nkohub_shared.text import Email, OneLine


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.ADMIN: "администратор", Role.STAFF: "сотрудник"}

PASSWORD_MIN = 10
PASSWORD_MAX = 200  # Argon2 takes any length; a bound keeps hashing cheap to refuse
# Passwords people pick first; refused whatever their length.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0987654321",
        "qwertyuiop",
        "password123",
        "password12",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "йцукенгшщз",
        "пароль1234",
        "библиотека",
        "administrator",
    }
)


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: OneLine = Field(min_length=1, max_length=200)
    email: Email
    role: Role = Role.STAFF


def email_key(email: str) -> str:
    """The login's unique key: ``Anna@Library.ru `` and ``anna@library.ru`` are one."""
    return normalise_email(email)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused (in Russian, shown next to the field), or None."""
    if len(password) < PASSWORD_MIN:
        return f"не короче {PASSWORD_MIN} символов"
    if len(password) > PASSWORD_MAX:
        return f"не длиннее {PASSWORD_MAX} символов"
    lowered = password.strip().lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "слишком простой: его подберут первым"
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (
        name and name.strip().lower() == lowered
    ):
        return "не должен повторять имя или адрес"
    return None


def check_password(password: str, *, email: str = "", name: str = "", field: str) -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem, field=field)


def new_account(
    account_id: str, data: AccountIn, password_hash: str, now: datetime
) -> dict[str, Any]:
    return {
        "_id": account_id,
        "name": data.name,
        "email": data.email,
        "email_key": email_key(data.email),
        "role": data.role.value,
        "active": True,
        "password_hash": password_hash,
        "created_at": now,
        "password_changed_at": now,
    }


def may_sign_in(account: dict[str, Any] | None) -> bool:
    return account is not None and bool(account.get("active"))


def require_other(actor_id: str, account_id: str, action: str) -> None:
    """An admin does not deactivate (or demote) themself: the console would lose its admin."""
    if actor_id == account_id:
        raise Forbidden(f"нельзя {action} собственную учётную запись", field="account")


def require_active(account: dict[str, Any]) -> None:
    if not account.get("active"):
        raise Conflict("учётная запись отключена", field="account")


def account_view(account: dict[str, Any]) -> dict[str, Any]:
    """What pages show of an account (never its hash)."""
    return {
        "id": account["_id"],
        "name": account["name"],
        "email": account["email"],
        "role": account["role"],
        "role_label": Role(account["role"]).label,
        "active": bool(account.get("active")),
        "created_at": account.get("created_at"),
        "deactivated_at": account.get("deactivated_at"),
    }
