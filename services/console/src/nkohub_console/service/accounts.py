"""Accounts: the first admin (CLI), admins creating, deactivating and resetting accounts,
everyone changing their own password. Deactivating or resetting ends the account's
sessions at once."""

from __future__ import annotations

from typing import Any

from nkohub_console.domain import accounts as rules
from nkohub_console.domain.accounts import AccountIn, Role
from nkohub_console.repository import AccountRepository, SessionRepository
from nkohub_console.service.clock import utcnow
from nkohub_console.service.passwords import hash_password, needs_rehash, verify_password
from nkohub_shared.errors import Conflict, InvalidInput
from nkohub_shared.ids import new_id


class AccountService:
    def __init__(self, accounts: AccountRepository, sessions: SessionRepository) -> None:
        self.accounts = accounts
        self.sessions = sessions

    async def create(self, data: AccountIn, password: str) -> dict[str, Any]:
        rules.check_password(password, email=data.email, name=data.name, field="password")
        account = rules.new_account(new_id(), data, await hash_password(password), utcnow())
        return await self.accounts.insert(account)

    async def create_admin(self, name: str, email: str, password: str) -> dict[str, Any]:
        """The first admin (or another one) from the command line."""
        return await self.create(AccountIn(name=name, email=email, role=Role.ADMIN), password)

    async def get(self, account_id: str) -> dict[str, Any]:
        return await self.accounts.get(account_id)

    async def all(self) -> list[dict[str, Any]]:
        return await self.accounts.all()

    async def names(self, ids: set[str]) -> dict[str, str]:
        return await self.accounts.names(ids)

    async def deactivate(self, actor_id: str, account_id: str) -> dict[str, Any]:
        rules.require_other(actor_id, account_id, "отключить")
        account = await self.accounts.get(account_id)
        done = await self.accounts.deactivate(account_id, utcnow())
        # Sessions end now; a token minted for it before lives its few minutes at most.
        await self.sessions.delete_of_account(account_id)
        return done or account

    async def reactivate(self, account_id: str) -> dict[str, Any]:
        return await self.accounts.set_fields(account_id, {"active": True, "deactivated_at": None})

    async def reset_password(self, account_id: str, password: str) -> dict[str, Any]:
        """An admin sets a new password (to hand over in person); sessions end."""
        account = await self.accounts.get(account_id)
        rules.check_password(
            password, email=account["email"], name=account["name"], field="password"
        )
        changed = await self.accounts.set_fields(
            account_id,
            {"password_hash": await hash_password(password), "password_changed_at": utcnow()},
        )
        await self.sessions.delete_of_account(account_id)
        return changed

    async def change_password(
        self, account_id: str, current: str, new: str, repeated: str, *, keep_session: str
    ) -> None:
        """The account's own change: the current password first; other sessions end."""
        account = await self.accounts.get(account_id)
        rules.require_active(account)
        if not await verify_password(account.get("password_hash"), current):
            raise InvalidInput("текущий пароль не подходит", field="current_password")
        rules.check_password(
            new, email=account["email"], name=account["name"], field="new_password"
        )
        if new != repeated:
            raise InvalidInput("пароли не совпадают", field="repeat_password")
        if new == current:
            raise Conflict("новый пароль совпадает с текущим", field="new_password")
        await self.accounts.set_fields(
            account_id,
            {"password_hash": await hash_password(new), "password_changed_at": utcnow()},
        )
        await self.sessions.delete_of_account(account_id, keep=keep_session)

    async def rehash_if_needed(self, account: dict[str, Any], password: str) -> None:
        if needs_rehash(account["password_hash"]):
            await self.accounts.set_fields(
                account["_id"], {"password_hash": await hash_password(password)}
            )
