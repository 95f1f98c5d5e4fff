"""Failed logins of one address: the first few are free, then each failure makes the
address wait longer before the next attempt (1, 2, 4 … seconds, at most a minute), and at
``lock_failures`` the address is locked for ``lock_minutes``. A success clears the count.

Kept per login address, whether an account has it or not, so the answers never tell
whether an address is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class LockoutPolicy:
    free_failures: int = 3
    lock_failures: int = 10
    lock_minutes: float = 15.0

    def delay_after(self, failures: int) -> timedelta:
        """How long the address waits after its ``failures``-th failure in a row."""
        if failures >= self.lock_failures:
            return timedelta(minutes=self.lock_minutes)
        if failures <= self.free_failures:
            return timedelta(0)
        extra = failures - self.free_failures - 1
        return timedelta(seconds=min(MAX_DELAY_SECONDS, 2**extra))

    def locked(self, failures: int) -> bool:
        return failures >= self.lock_failures


@dataclass(frozen=True)
class LoginGate:
    """Where an address stands before an attempt."""

    failures: int
    blocked_until: datetime | None

    def wait(self, now: datetime) -> int:
        """Whole seconds to wait before the next attempt (0: it may try now)."""
        if self.blocked_until is None or self.blocked_until <= now:
            return 0
        remaining = (self.blocked_until - now).total_seconds()
        return max(1, int(remaining + 0.999))


def after_failure(policy: LockoutPolicy, failures: int, now: datetime) -> LoginGate:
    """The gate after the ``failures``-th failure in a row."""
    delay = policy.delay_after(failures)
    return LoginGate(failures=failures, blocked_until=now + delay if delay else None)


def wait_message(seconds: int, locked: bool) -> str:
    """The Russian refusal shown on the login page."""
    if locked:
        minutes = max(1, (seconds + 59) // 60)
        return (
            "Слишком много неудачных попыток: вход с этим адресом закрыт на "
            f"{minutes} мин. Если вы забыли пароль, попросите администратора сбросить его."
        )
    return f"Слишком много неудачных попыток. Попробуйте снова через {seconds} с."
