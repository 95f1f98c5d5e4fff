"""The signed links messages carry: the events service's (cancel a registration or a
consultation, give feedback) and this service's own (unsubscribe, the preference centre,
confirm a subscription), all through ``nkohub_shared.links`` so both sides agree on paths
and tokens; and the ``List-Unsubscribe`` headers of marketing-like mail (RFC 2369, 8058).

The preference centre's link carries the unsubscribe token: whoever may stop the mail of
a mailbox may choose it too. ``List-Unsubscribe`` names only the HTTPS link (one click,
RFC 8058), no ``mailto:``: no mailbox reader stands behind such an address here, and an
address that swallows requests would be worse than none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlencode

from nkohub_shared.links import (
    LinkSigner,
    Purpose,
    confirm_subscription_path,
    consultation_cancel_path,
    feedback_path,
    registration_cancel_path,
    unsubscribe_path,
)

EXPIRES_DIGITS = 12


def preferences_path(subscriber_id: str) -> str:  # notifications: the preference centre
    return f"/preferences/{subscriber_id}"


# an epoch second has 10 digits until the year 2286


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # ours, but its time is up (or it predates expiring links)
    INVALID = "invalid"  # not ours: tampered, another person's, garbage


def _expiring_value(subscriber_id: str, expires: int) -> str:
    return f"{subscriber_id}|{expires}"


@dataclass(frozen=True)
class MailLinks:
    signer: LinkSigner
    events_url: str  # public base URL of the events service
    own_url: str  # public base URL of this service

    def registration_cancel(self, registration_id: str) -> str:
        return self.signer.link(
            self.events_url,
            registration_cancel_path(registration_id),
            Purpose.REGISTRATION,
            registration_id,
        )

    def feedback(self, meetup_id: str, registration_id: str) -> str:
        return self.signer.link(
            self.events_url,
            feedback_path(meetup_id),
            Purpose.REGISTRATION,
            registration_id,
            registration=registration_id,
        )

    def ask_question(self, meetup_id: str, registration_id: str) -> str:
        """The meetup's page with the question form open for this registration."""
        link = self.signer.link(
            self.events_url,
            f"/meetups/{meetup_id}",
            Purpose.REGISTRATION,
            registration_id,
            registration=registration_id,
        )
        return f"{link}#question"

    def consultation_cancel(self, consultation_id: str) -> str:
        return self.signer.link(
            self.events_url,
            consultation_cancel_path(consultation_id),
            Purpose.CONSULTATION,
            consultation_id,
        )

    def unsubscribe(self, subscriber_id: str, topic: str | None = None) -> str:
        """From one topic (``topic``) or, without it, from every mailing."""
        query = {"topic": topic} if topic else {}
        return self.signer.link(
            self.own_url,
            unsubscribe_path(subscriber_id),
            Purpose.UNSUBSCRIBE,
            subscriber_id,
            **query,
        )

    def preferences(self, subscriber_id: str) -> str:
        """The subscriber's preference centre (topics, unsubscribing from one or all)."""
        return self.signer.link(
            self.own_url, preferences_path(subscriber_id), Purpose.UNSUBSCRIBE, subscriber_id
        )

    def confirm_subscription(self, subscriber_id: str, expires_at: datetime) -> str:
        """The confirmation link, valid until ``expires_at``: the token signs the
        subscriber id and the expiry together, so the expiry cannot be moved."""
        expires = int(expires_at.timestamp())
        token = self.signer.token(
            Purpose.CONFIRM_SUBSCRIPTION, _expiring_value(subscriber_id, expires)
        )
        query = urlencode({"expires": expires, "token": token})
        return f"{self.own_url.rstrip('/')}{confirm_subscription_path(subscriber_id)}?{query}"

    def confirm_state(
        self, subscriber_id: str, expires: str | None, token: str | None, at: datetime
    ) -> LinkState:
        """Whether a confirmation link is valid, ours but expired, or not ours. A link
        from before links expired (no ``expires``) counts as expired. Any text is safe."""
        if not expires:
            legacy = self.signer.valid(Purpose.CONFIRM_SUBSCRIPTION, subscriber_id, token)
            return LinkState.EXPIRED if legacy else LinkState.INVALID
        if not (expires.isascii() and expires.isdigit() and len(expires) <= EXPIRES_DIGITS):
            return LinkState.INVALID
        value = _expiring_value(subscriber_id, int(expires))
        if not self.signer.valid(Purpose.CONFIRM_SUBSCRIPTION, value, token):
            return LinkState.INVALID
        return LinkState.VALID if at.timestamp() < int(expires) else LinkState.EXPIRED

    def list_unsubscribe(self, subscriber_id: str, topic: str | None = None) -> dict[str, str]:
        """The headers of marketing-like mail: the HTTPS link of the message's topic, which
        a mail client POSTs to with ``List-Unsubscribe=One-Click`` (RFC 8058)."""
        return {
            "List-Unsubscribe": f"<{self.unsubscribe(subscriber_id, topic)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
