"""The signed links messages carry: the events service's (cancel a registration or a
consultation, give feedback) and this service's own (unsubscribe, confirm a
subscription), all through ``nkohub_shared.links`` so both sides agree on paths and
tokens; and the ``List-Unsubscribe`` headers of marketing-like mail (RFC 2369, 8058)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from nkohub_shared.links import (
    LinkSigner,
    Purpose,
    confirm_subscription_path,
    consultation_cancel_path,
    feedback_path,
    registration_cancel_path,
    unsubscribe_path,
)


@dataclass(frozen=True)
class MailLinks:
    signer: LinkSigner
    events_url: str  # public base URL of the events service
    own_url: str  # public base URL of this service
    mailto_address: str  # the address in the mailto: of List-Unsubscribe

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

    def consultation_cancel(self, consultation_id: str) -> str:
        return self.signer.link(
            self.events_url,
            consultation_cancel_path(consultation_id),
            Purpose.CONSULTATION,
            consultation_id,
        )

    def unsubscribe(self, subscriber_id: str) -> str:
        return self.signer.link(
            self.own_url, unsubscribe_path(subscriber_id), Purpose.UNSUBSCRIBE, subscriber_id
        )

    def unsubscribe_mailto(self, subscriber_id: str) -> str:
        token = self.signer.token(Purpose.UNSUBSCRIBE, subscriber_id)
        subject = quote(f"unsubscribe {subscriber_id} {token}")
        return f"mailto:{self.mailto_address}?subject={subject}"

    def confirm_subscription(self, subscriber_id: str) -> str:
        return self.signer.link(
            self.own_url,
            confirm_subscription_path(subscriber_id),
            Purpose.CONFIRM_SUBSCRIPTION,
            subscriber_id,
        )

    def list_unsubscribe(self, subscriber_id: str) -> dict[str, str]:
        """The headers of marketing-like mail: the HTTPS link (one-click POST) and mailto."""
        link = self.unsubscribe(subscriber_id)
        mailto = self.unsubscribe_mailto(subscriber_id)
        return {
            "List-Unsubscribe": f"<{link}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
