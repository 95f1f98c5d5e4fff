"""Alerts to staff: which kinds there are, the settings (to whom, which kinds, the
waitlist threshold), and when a waitlist calls for one.

An alert is a message in the delivery log like any other, under a key that names what
triggered it (the event's id; for a waitlist, the meetup and the threshold), so a
redelivered event never alerts twice, and a waitlist alerts once per meetup and threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from nkohub_contracts.vocabulary import ACTIVITY_AREA_LABELS
from nkohub_shared.text import normalise_email

MAX_STAFF_EMAILS = 20


class AlertKind(StrEnum):
    QUESTION = "question"  # a new question to a meetup's speakers
    WAITLIST = "waitlist"  # a meetup's waitlist over the threshold
    MESSAGE_FAILED = "message_failed"  # a message failed for good
    NEW_ORGANIZATION = "new_organization"  # an NGO registered itself (a proposal)


KIND_LABELS = {
    AlertKind.QUESTION: "Новый вопрос к встрече",
    AlertKind.WAITLIST: "Лист ожидания больше порога",
    AlertKind.MESSAGE_FAILED: "Письмо не доставлено окончательно",
    AlertKind.NEW_ORGANIZATION: "Новая НКО зарегистрировалась сама",
}
TEMPLATES = {
    AlertKind.QUESTION: "alert_question",
    AlertKind.WAITLIST: "alert_waitlist",
    AlertKind.MESSAGE_FAILED: "alert_message_failed",
    AlertKind.NEW_ORGANIZATION: "alert_new_organization",
}
# Failures that do not alert: the alerts themselves (no loop) and a mailing's messages
# (its progress shows them; a bad list must not flood staff).
QUIET_FAILURES = frozenset({*TEMPLATES.values(), "mailing"})


@dataclass(frozen=True)
class AlertSettings:
    library_email: str | None = None
    staff_emails: tuple[str, ...] = ()
    kinds: dict[str, bool] = field(default_factory=lambda: {k.value: True for k in AlertKind})
    waitlist_threshold: int = 10

    @classmethod
    def of(cls, doc: dict[str, Any] | None) -> AlertSettings:
        if not doc:
            return cls()
        kinds = {k.value: bool(doc.get("kinds", {}).get(k.value, True)) for k in AlertKind}
        return cls(
            library_email=doc.get("library_email"),
            staff_emails=tuple(doc.get("staff_emails") or ()),
            kinds=kinds,
            waitlist_threshold=int(doc.get("waitlist_threshold", 10)),
        )

    def recipients(self) -> list[str]:
        """The library's address and the chosen staff addresses, each once."""
        seen: list[str] = []
        for address in (self.library_email, *self.staff_emails):
            if address and address not in seen:
                seen.append(address)
        return seen

    def wants(self, kind: AlertKind) -> bool:
        return self.kinds.get(kind.value, True) and bool(self.recipients())

    def document(self) -> dict[str, Any]:
        return {
            "library_email": self.library_email,
            "staff_emails": list(self.staff_emails),
            "kinds": dict(self.kinds),
            "waitlist_threshold": self.waitlist_threshold,
        }


def clean_addresses(
    library_email: str | None, staff_emails: list[str]
) -> tuple[str | None, tuple[str, ...]]:
    """Normalised addresses; ``ValueError`` names the field of a bad one."""
    try:
        library = normalise_email(library_email) if library_email else None
    except ValueError:
        raise ValueError("library_email") from None
    if len(staff_emails) > MAX_STAFF_EMAILS:
        raise ValueError("staff_emails")
    cleaned: list[str] = []
    for address in staff_emails:
        try:
            normalised = normalise_email(address)
        except ValueError:
            raise ValueError("staff_emails") from None
        if normalised not in cleaned:
            cleaned.append(normalised)
    return library, tuple(cleaned)


def proposal_context(
    proposal_id: str,
    name: str,
    full_name: str,
    city: str | None,
    activity_areas: list[str],
    submitted_at: datetime,
    console_url: str,
) -> dict[str, Any]:
    """What the «new NGO» alert shows: names, city, areas in Russian, the console's page."""
    return {
        "name": name,
        "full_name": full_name,
        "city": city,
        "activity_areas": [ACTIVITY_AREA_LABELS.get(a, a) for a in activity_areas],
        "submitted_at": submitted_at,
        "url": f"{console_url.rstrip('/')}/console/proposals/{proposal_id}",
    }


def waitlist_over(position: int, threshold: int) -> bool:
    """A waitlisted person at ``position`` makes the waitlist longer than the threshold."""
    return threshold > 0 and position > threshold
