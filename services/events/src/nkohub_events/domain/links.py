"""The signed links a participant gets by e-mail (the notifications service mails them,
through the same ``nkohub_shared.links``): cancel a registration, leave feedback (its
token also lets them ask questions), cancel a consultation. This service only checks
them and points its own forms at them; it never hands a link to whoever submitted a form
(that person may have typed someone else's address)."""

from __future__ import annotations

from dataclasses import dataclass

from nkohub_shared.links import (
    LinkSigner,
    Purpose,
    consultation_cancel_path,
    registration_cancel_path,
    registration_path,
)


@dataclass(frozen=True)
class ParticipantLinks:
    """Links under ``public_base_url``; pages pass ``base=""`` for links relative to
    themselves."""

    signer: LinkSigner
    public_base_url: str

    def _base(self, base: str | None) -> str:
        return self.public_base_url if base is None else base

    def registration_cancel(self, registration_id: str, *, base: str | None = None) -> str:
        path = registration_cancel_path(registration_id)
        return self.signer.link(self._base(base), path, Purpose.REGISTRATION, registration_id)

    def registration(self, registration_id: str, *, base: str | None = None) -> str:
        """The participant's ticket: status, the door code as text and QR code."""
        path = registration_path(registration_id)
        return self.signer.link(self._base(base), path, Purpose.REGISTRATION, registration_id)

    def consultation_cancel(self, consultation_id: str, *, base: str | None = None) -> str:
        path = consultation_cancel_path(consultation_id)
        return self.signer.link(self._base(base), path, Purpose.CONSULTATION, consultation_id)
