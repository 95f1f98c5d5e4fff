"""Erasure that lasts: once a person is erased (``registry.person.erased``), an event
about them written *before* the erasure — redelivered, or late from another service's
outbox — must not bring their data back. The erased person keys are kept (keys only: an
HMAC, no address) with the erasure's time; such events are ignored. An event written
after the erasure is a new act (they registered again) and is handled as usual."""

from __future__ import annotations

from datetime import datetime

from nkohub_notifications.domain.clock import same_moment


def from_before_erasure(event_time: datetime, erased_at: datetime | None) -> bool:
    """Whether an event written at ``event_time`` predates the person's erasure."""
    if erased_at is None:
        return False
    return event_time < erased_at or same_moment(event_time, erased_at)


REDACTED = "(удалено по запросу человека)"


def redaction() -> dict[str, object]:
    """What remains of a message to someone else that carried an erased person's data
    (the specialist's copy of a booking): its subject and status, not the content."""
    return {"text": REDACTED, "html": REDACTED, "attachments": [], "payload": None}
