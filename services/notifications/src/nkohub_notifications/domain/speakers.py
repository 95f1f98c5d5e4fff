"""Reminders to speakers the day before their meetup: the read model of a meetup's
speakers (from ``events.meetup.speakers_listed``: one document per speaker's address and
meetup, their program items) and when one is due.

Exactly once per speaker and meetup start: the message's idempotency key is
``speaker-reminder:<meetup>:<start>|<speaker's person key>|speaker_reminder`` (unique),
so two schedulers — replicas, or a run after a crash — queue it once; a meetup moved to
another day reminds again for the new start.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nkohub_contracts.events import SpeakersListed
from nkohub_shared.privacy import person_key
from nkohub_shared.text import normalise_email

BEFORE = timedelta(days=1)  # the day before
TEMPLATE = "speaker_reminder"


def speaker_documents(event: SpeakersListed, listed_at: datetime) -> list[dict[str, Any]]:
    """One document per speaker's address: their name and items, the meetup's start."""
    by_person: dict[str, dict[str, Any]] = {}
    for item in sorted(event.speakers, key=lambda s: s.position):
        try:
            address = normalise_email(item.email)
        except ValueError:
            continue  # an address the events service let through but mail cannot use
        key = person_key(address)  # one person whatever the letter case
        doc = by_person.setdefault(
            key,
            {
                "_id": f"{event.meetup_id}|{key}",
                "meetup_id": event.meetup_id,
                "speaker_key": key,
                "name": item.speaker_name or "",
                "email": address,
                "items": [],
                "starts_at": event.starts_at,
                "status": event.status,
                "listed_at": listed_at,
            },
        )
        doc["items"].append(
            {"position": item.position, "title": item.title, "starts_at": item.starts_at}
        )
    return list(by_person.values())


def due_window(at: datetime) -> tuple[datetime, datetime]:
    """Meetups starting in this window make their speakers' reminders due now."""
    return at, at + BEFORE


def reminder_cause(meetup_id: str, starts_at: datetime) -> str:
    return f"speaker-reminder:{meetup_id}:{starts_at.isoformat()}"


def items_context(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"position": i["position"], "title": i["title"], "starts_at": i.get("starts_at")}
        for i in sorted(items, key=lambda i: i["position"])
    ]
