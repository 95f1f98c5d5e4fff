"""Storage of the console (its own database): accounts, sessions, failed logins."""

from pymongo import ASCENDING, IndexModel

from nkohub_console.repository.accounts import ACCOUNTS, AccountRepository
from nkohub_console.repository.imports import IMPORT_JOBS, ImportJobRepository
from nkohub_console.repository.logins import LOGIN_FAILURES, LoginFailureRepository
from nkohub_console.repository.sessions import SESSIONS, SessionRepository

INDEXES = {
    ACCOUNTS: [IndexModel([("email_key", ASCENDING)], unique=True)],
    SESSIONS: [IndexModel([("account_id", ASCENDING)]), IndexModel([("expires_at", ASCENDING)])],
    LOGIN_FAILURES: [],
    IMPORT_JOBS: [IndexModel([("started_at", ASCENDING)])],
}
OUTBOX_COLLECTIONS: tuple[str, ...] = ()  # the console publishes no events

__all__ = [
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "AccountRepository",
    "ImportJobRepository",
    "LoginFailureRepository",
    "SessionRepository",
]
