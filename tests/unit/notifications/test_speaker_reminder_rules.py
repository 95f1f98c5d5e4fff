"""Speakers' reminders: one document per person (whatever the address's letter case),
their items in program order, a key naming the meetup's start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nkohub_contracts.events import SpeakerContact, SpeakersListed
from nkohub_notifications.domain.speakers import (
    due_window,
    items_context,
    reminder_cause,
    speaker_documents,
)
from nkohub_shared.privacy import person_key

START = datetime(2026, 4, 16, 14, 0, tzinfo=UTC)


def test_one_document_per_speaker_with_their_items_in_order():
    event = SpeakersListed(
        meetup_id="m-1",
        starts_at=START,
        status="scheduled",
        speakers=[
            SpeakerContact(position=3, title="Три", speaker_name="Ольга", email="O@Example.org"),
            SpeakerContact(position=1, title="Один", speaker_name="Ольга", email="o@example.org"),
            SpeakerContact(position=2, title="Два", speaker_name="Иван", email="i@example.org"),
        ],
    )
    docs = speaker_documents(event, START - timedelta(days=5))
    assert [d["_id"] for d in docs] == [
        f"m-1|{person_key('o@example.org')}",
        f"m-1|{person_key('i@example.org')}",
    ]
    assert [i["title"] for i in items_context(docs[0]["items"])] == ["Один", "Три"]
    assert docs[0]["status"] == "scheduled" and docs[0]["starts_at"] == START


def test_the_reminder_is_due_within_a_day_and_keyed_by_the_start():
    assert due_window(START) == (START, START + timedelta(days=1))
    assert reminder_cause("m-1", START) == "speaker-reminder:m-1:2026-04-16T14:00:00+00:00"
