"""Signed links in e-mails and pages: their purposes, their paths, their tokens.

A token is an HMAC of (purpose, value), so a link for one purpose or one person is
worthless for another. Every service that builds or checks such a link uses this module,
so the service that checks a link and the one that mails it agree on its path and purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlencode

from nkohub_shared.errors import Forbidden
from nkohub_shared.privacy import sign, verify


class Purpose(StrEnum):
    REGISTRATION = "registration"  # cancel a registration, give feedback, ask a question
    CONSULTATION = "consultation"  # cancel a booked consultation
    UNSUBSCRIBE = "notifications-unsubscribe"
    CONFIRM_SUBSCRIPTION = "notifications-confirm"
    ERASURE = "person-erasure"


# Paths, relative to the public base URL of the service that serves them.
def registration_cancel_path(registration_id: str) -> str:  # events
    return f"/registrations/{registration_id}/cancel"


def registration_path(registration_id: str) -> str:  # events: the ticket with the door code
    return f"/registrations/{registration_id}"


def consultation_cancel_path(consultation_id: str) -> str:  # events
    return f"/consultations/{consultation_id}/cancel"


def feedback_path(meetup_id: str) -> str:  # events; ?registration=…&token=…
    return f"/meetups/{meetup_id}/feedback"


def unsubscribe_path(subscriber_id: str) -> str:  # notifications
    return f"/unsubscribe/{subscriber_id}"


def confirm_subscription_path(subscriber_id: str) -> str:  # notifications
    return f"/subscriptions/{subscriber_id}/confirm"


def erasure_path(person_id: str) -> str:  # registry: the page that asks, then erases
    return f"/people/{person_id}/erase"


# registry: the public form that mails a person their erasure link (every public page
# links it, from the shared bar of ``web.accessibility``)
ERASURE_REQUEST_PATH = "/people/erase"


@dataclass(frozen=True)
class LinkSigner:
    """Makes and checks the tokens of one secret."""

    secret: str

    def token(self, purpose: Purpose, value: str) -> str:
        return sign(self.secret, purpose.value, value)

    def valid(self, purpose: Purpose, value: str, token: str | None) -> bool:
        """Whether ``token`` is this purpose's token of ``value`` (any text is safe)."""
        if not token or not token.isascii():
            return False
        return verify(self.secret, purpose.value, value, token)

    def expiring(self, purpose: Purpose, value: str, expires: int) -> str:
        """The token of a link that stops working at ``expires`` (epoch seconds): it signs
        the value and the expiry, so the expiry in the link cannot be moved."""
        return self.token(purpose, f"{value}|{expires}")

    def valid_until(
        self,
        purpose: Purpose,
        value: str,
        expires: int | None,
        token: str | None,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Whether ``token`` is this purpose's token of ``value`` until ``expires``, and
        that moment has not come."""
        if expires is None or expires <= (now or datetime.now(UTC)).timestamp():
            return False
        return self.valid(purpose, f"{value}|{expires}", token)

    def require(self, purpose: Purpose, value: str, token: str | None) -> None:
        if not self.valid(purpose, value, token):
            raise Forbidden("ссылка недействительна для этого действия", field="token")

    def link(
        self,
        base_url: str,
        path: str,
        purpose: Purpose,
        value: str,
        **query: str,
    ) -> str:
        """``base_url`` + ``path`` with the query and the token of (purpose, value)."""
        params = urlencode({**query, "token": self.token(purpose, value)})
        return f"{str(base_url).rstrip('/')}{path}?{params}"
