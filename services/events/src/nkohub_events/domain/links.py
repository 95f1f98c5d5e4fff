"""The signed links a participant gets (the notifications service mails the same ones,
through the same ``nkohub_shared.links``): cancel a registration, leave feedback (its
token also lets them ask questions), cancel a consultation."""

from __future__ import annotations

from dataclasses import dataclass

from nkohub_shared.links import (
    LinkSigner,
    Purpose,
    consultation_cancel_path,
    feedback_path,
    registration_cancel_path,
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

    def consultation_cancel(self, consultation_id: str, *, base: str | None = None) -> str:
        path = consultation_cancel_path(consultation_id)
        return self.signer.link(self._base(base), path, Purpose.CONSULTATION, consultation_id)

    def of_registration(self, registration_id: str, meetup_id: str) -> dict[str, str]:
        """The token and links of a new registration (its confirmation shows them)."""
        return {
            "token": self.signer.token(Purpose.REGISTRATION, registration_id),
            "cancel_url": self.registration_cancel(registration_id),
            "feedback_url": self.signer.link(
                self.public_base_url,
                feedback_path(meetup_id),
                Purpose.REGISTRATION,
                registration_id,
                registration=registration_id,
            ),
        }

    def of_consultation(self, consultation_id: str) -> dict[str, str]:
        return {
            "token": self.signer.token(Purpose.CONSULTATION, consultation_id),
            "cancel_url": self.consultation_cancel(consultation_id),
        }
