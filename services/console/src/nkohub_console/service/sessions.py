"""Signing in and out, and finding the account behind a session cookie.

A sign-in first asks the lockout gate of the typed address (and of the client address),
then checks the password; a failure is counted before the answer goes out. Every request
loads the session's account again, so a deactivated account's sessions stop at once (and
are deleted when seen, besides at deactivation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nkohub_console.domain import accounts as account_rules
from nkohub_console.domain.lockout import LockoutPolicy, LoginGate, after_failure, wait_message
from nkohub_console.domain.sessions import SessionPolicy, new_token, token_digest
from nkohub_console.repository import (
    AccountRepository,
    LoginFailureRepository,
    SessionRepository,
)
from nkohub_console.service.accounts import AccountService
from nkohub_console.service.clock import utcnow
from nkohub_console.service.passwords import verify_password
from nkohub_shared.errors import InvalidInput
from nkohub_shared.limits import RateLimited

WRONG = "Неверный адрес или пароль."
CLIENT_WINDOW_SECONDS = 3600
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SignedIn:
    token: str  # goes into the cookie, never stored
    session: dict[str, Any]
    account: dict[str, Any]


@dataclass(frozen=True)
class Current:
    session: dict[str, Any]
    account: dict[str, Any]

    @property
    def csrf(self) -> str:
        return self.session["csrf"]

    @property
    def is_admin(self) -> bool:
        return self.account["role"] == "admin"


class SessionService:
    def __init__(
        self,
        accounts: AccountRepository,
        sessions: SessionRepository,
        failures: LoginFailureRepository,
        account_service: AccountService,
        *,
        lockout: LockoutPolicy,
        policy: SessionPolicy,
        client_failures_per_hour: int,
    ) -> None:
        self.accounts = accounts
        self.sessions = sessions
        self.failures = failures
        self.account_service = account_service
        self.lockout = lockout
        self.policy = policy
        self.client_failures_per_hour = client_failures_per_hour

    async def sign_in(self, email: str, password: str, *, client: str) -> SignedIn:
        now = utcnow()
        key = _login_key(email)
        window = int(now.timestamp()) // CLIENT_WINDOW_SECONDS
        if await self.failures.client_failures(client, window) >= self.client_failures_per_hour:
            raise RateLimited(
                "Слишком много неудачных попыток входа с этого компьютера. Попробуйте позже.",
                retry_after=CLIENT_WINDOW_SECONDS - int(now.timestamp()) % CLIENT_WINDOW_SECONDS,
                field="password",
            )
        record = await self.failures.get(key)
        gate = LoginGate(
            failures=int(record["failures"]) if record else 0,
            blocked_until=record.get("blocked_until") if record else None,
        )
        wait = gate.wait(now)
        if wait:
            raise RateLimited(
                wait_message(wait, self.lockout.locked(gate.failures)),
                retry_after=wait,
                field="password",
            )
        account = await self.accounts.by_email_key(key)
        stored = account.get("password_hash") if account else None
        good = await verify_password(stored, password)
        if not (good and account_rules.may_sign_in(account)):
            await self._failed(key, client, window)
            raise InvalidInput(WRONG, field="password")
        assert account is not None
        await self.failures.clear(key)
        await self.account_service.rehash_if_needed(account, password)
        token = new_token()
        session = self.policy.new_session(token, account["_id"], now)
        await self.sessions.insert(session)
        return SignedIn(token, session, account)

    async def _failed(self, key: str, client: str, window: int) -> None:
        now = utcnow()
        await self.failures.count_client_failure(client, window, now)
        failures = await self.failures.count_failure(key, now)
        gate = after_failure(self.lockout, failures, now)
        if gate.blocked_until is not None:
            await self.failures.block(key, gate.blocked_until)
        if self.lockout.locked(failures):
            raise RateLimited(
                wait_message(gate.wait(now), True), retry_after=gate.wait(now), field="password"
            )

    async def current(self, token: str | None) -> Current | None:
        """The live session of the cookie and its active account, or None."""
        if not token:
            return None
        digest = token_digest(token)
        session = await self.sessions.get(digest)
        if session is None:
            return None
        now = utcnow()
        if not self.policy.alive(session, now):
            await self.sessions.delete(digest)
            return None
        account = await self.accounts.find(session["account_id"])
        if not account_rules.may_sign_in(account):
            await self.sessions.delete(digest)
            return None
        assert account is not None
        if self.policy.worth_touching(session, now):
            await self.sessions.touch(digest, now)
        return Current(session, account)

    async def sign_out(self, token: str | None) -> None:
        if token:
            await self.sessions.delete(token_digest(token))

    async def purge(self) -> None:
        now = utcnow()
        await self.sessions.purge(now)
        await self.failures.purge(now - FORGET_AFTER)


def _login_key(email: str) -> str:
    """The address's key even when it is malformed (it is still counted)."""
    try:
        return account_rules.email_key(account_rules.AccountIn(name="-", email=email).email)
    except ValueError:
        return email.strip().lower()[:254]
