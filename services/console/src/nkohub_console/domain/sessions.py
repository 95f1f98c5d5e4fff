"""Console sessions: a random token in an HttpOnly cookie, stored only as its SHA-256, with
a CSRF token of its own that every form carries back.

A session ends at sign-out, ``hours`` after sign-in, after ``idle`` without use, and at
once when its account is deactivated or its password reset.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

COOKIE = "nkohub_console_session"
LOGIN_COOKIE = "nkohub_console_login"  # the CSRF token of the sign-in form (no session yet)
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is stored: a stolen database copy holds no usable session."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class SessionPolicy:
    hours: float = 10.0
    idle_minutes: float = 120.0

    def new_session(self, token: str, account_id: str, now: datetime) -> dict[str, Any]:
        return {
            "_id": token_digest(token),
            "account_id": account_id,
            "csrf": new_token(),
            "created_at": now,
            "seen_at": now,
            "expires_at": now + timedelta(hours=self.hours),
        }

    def alive(self, session: dict[str, Any], now: datetime) -> bool:
        if session["expires_at"] <= now:
            return False
        return now - session["seen_at"] < timedelta(minutes=self.idle_minutes)

    def worth_touching(self, session: dict[str, Any], now: datetime) -> bool:
        """Write ``seen_at`` at most once a minute, not on every page."""
        return now - session["seen_at"] >= timedelta(minutes=1)
