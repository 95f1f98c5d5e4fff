"""What pages, the API and the CLI of the console reach: its use cases, the token minter
and the HTTP pool to the four services, built once from the runtime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from nkohub_console.domain.lockout import LockoutPolicy
from nkohub_console.domain.sessions import SessionPolicy
from nkohub_console.repository import (
    AccountRepository,
    ImportJobRepository,
    LoginFailureRepository,
    SessionRepository,
)
from nkohub_console.service.accounts import AccountService
from nkohub_console.service.clients import Services
from nkohub_console.service.imports import ImportJobs
from nkohub_console.service.sessions import SessionService
from nkohub_console.service.tokens import TokenMinter
from nkohub_console.settings import ConsoleSettings
from nkohub_shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class ConsoleContext:
    runtime: ServiceRuntime[ConsoleSettings, ConsoleContext]
    accounts: AccountService
    sessions: SessionService
    tokens: TokenMinter
    http: httpx.AsyncClient
    imports: ImportJobs

    @property
    def settings(self) -> ConsoleSettings:
        return self.runtime.settings

    def services_for(self, account: dict[str, Any]) -> Services:
        """The four clients, calling with this account's short-lived token."""
        return Services.of(
            self.http, self.settings.service_url, lambda: self.tokens.for_account(account)
        )

    @classmethod
    def of(cls, runtime: ServiceRuntime[ConsoleSettings, ConsoleContext]) -> ConsoleContext:
        return cls.build(runtime.settings, runtime.db, runtime)

    @classmethod
    def build(cls, settings: ConsoleSettings, db: Any, runtime: Any = None) -> ConsoleContext:
        accounts, sessions = AccountRepository(db), SessionRepository(db)
        account_service = AccountService(accounts, sessions)
        return cls(
            runtime=runtime,
            accounts=account_service,
            sessions=SessionService(
                accounts,
                sessions,
                LoginFailureRepository(db),
                account_service,
                lockout=LockoutPolicy(
                    free_failures=settings.console_login_free_failures,
                    lock_failures=settings.console_login_lock_failures,
                    lock_minutes=settings.console_login_lock_minutes,
                ),
                policy=SessionPolicy(
                    hours=settings.console_session_hours,
                    idle_minutes=settings.console_session_idle_minutes,
                ),
                client_failures_per_hour=settings.console_login_failures_per_client_per_hour,
            ),
            tokens=TokenMinter(
                settings.staff_token_private_key.get_secret_value(),
                minutes=settings.console_token_minutes,
                issuer=settings.staff_token_issuer,
                audience=settings.staff_token_audience,
            ),
            http=httpx.AsyncClient(timeout=settings.console_service_timeout_seconds),
            imports=ImportJobs(ImportJobRepository(db)),
        )
